//! Links from the summary to a repository file's line at the commit:
//! `{server}/{repository}/blob/{sha}/{path}#L{line}`.

/// Where links point: `{server}/{repository}/blob/{sha}/{path}#L{line}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// `GITHUB_SERVER_URL`, e.g. `https://github.com`.
    pub server_url: String,
    /// `GITHUB_REPOSITORY`, `owner/name`.
    pub repository: String,
    /// `GITHUB_SHA`.
    pub sha: String,
}

impl Links {
    /// Links from the environment's values, when all three are present and well-formed (an
    /// `http(s)://` server without spaces or Markdown-breaking characters, an `owner/name` repository,
    /// a hex commit).
    pub fn new(
        server_url: Option<&str>,
        repository: Option<&str>,
        sha: Option<&str>,
    ) -> Option<Links> {
        let server = server_url?.trim_end_matches('/');
        let repo = repository?;
        let sha = sha?;
        let server_ok = (server.starts_with("https://") || server.starts_with("http://"))
            && server.len() > "https://".len()
            && !server
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "()<>[]\"'`|\\".contains(c));
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        let repo_ok = repo
            .split_once('/')
            .is_some_and(|(o, n)| name_ok(o) && name_ok(n));
        let sha_ok =
            !sha.is_empty() && sha.len() <= 64 && sha.chars().all(|c| c.is_ascii_hexdigit());
        (server_ok && repo_ok && sha_ok).then(|| Links {
            server_url: server.to_string(),
            repository: repo.to_string(),
            sha: sha.to_string(),
        })
    }

    /// The URL of a repository file's line at the commit.
    pub fn url(&self, repo_file: &str, line: u32) -> String {
        format!(
            "{}/{}/blob/{}/{}#L{line}",
            self.server_url,
            self.repository,
            self.sha,
            encode_path(repo_file)
        )
    }
}

/// What a URL path keeps as it is: the unreserved characters (RFC 3986) and `/`.
pub(super) const PATH_KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a path for a URL, keeping `/` and the unreserved characters.
pub fn encode_path(p: &str) -> String {
    percent_encoding::utf8_percent_encode(p, PATH_KEEP).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_need_well_formed_values() {
        let l = Links::new(Some("https://github.com/"), Some("o/r"), Some("abc123")).unwrap();
        assert_eq!(
            l.url("a b/c#.go", 7),
            "https://github.com/o/r/blob/abc123/a%20b/c%23.go#L7"
        );
        assert_eq!(
            Links::new(Some("https://x)"), Some("o/r"), Some("ab")),
            None
        );
        assert_eq!(
            Links::new(Some("https://x"), Some("o/r/s"), Some("ab")),
            None
        );
        assert_eq!(
            Links::new(Some("https://x"), Some("o/r"), Some("main")),
            None
        );
        assert_eq!(Links::new(None, Some("o/r"), Some("ab")), None);
    }
}
