//! `--write-baseline`: writes the id of every leak of the view in the baseline format
//! ([`crate::baseline::Baseline::render`]), atomically.

use std::path::PathBuf;

use crate::baseline::Baseline;
use crate::error::Error;
use crate::outfile::write_atomic;
use crate::pipeline::Sink;
use crate::view::View;

/// The `--write-baseline` sink.
#[derive(Debug)]
pub struct BaselineSink {
    path: PathBuf,
}

impl BaselineSink {
    /// A sink writing the baseline to `path` at the end of the run.
    pub fn new(path: PathBuf) -> BaselineSink {
        BaselineSink { path }
    }
}

impl Sink for BaselineSink {
    fn run_done(&mut self, view: &View) -> Result<(), Error> {
        write_atomic(&self.path, |w| {
            w.write_all(Baseline::render(view).as_bytes())
        })
    }
}
