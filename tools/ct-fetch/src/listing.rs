//! What a listing says and how a request fails: the vocabulary shared by the S3 client
//! (`s3`), the local folder (`store`) and the download loop (`fetch`), so that none of them
//! depends on another for it.

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub size: u64,
    pub etag: Option<String>,
    /// RFC 3339, UTC.
    pub last_modified: Option<String>,
}

/// What a prefix holds: the next folder level (with a delimiter) and the objects.
#[derive(Debug, Default)]
pub struct Listing {
    /// Whole prefixes, each ending in `/`.
    pub prefixes: Vec<String>,
    pub objects: Vec<Object>,
    /// Entries that could not be read as keys (place, why): never dropped unseen.
    pub problems: Vec<(String, String)>,
}

/// A failed request: what went wrong, and whether trying again may help (throttling, server
/// errors, timeouts, a body cut off).
#[derive(Debug, Clone)]
pub struct Failure {
    pub retry: bool,
    pub msg: String,
}

impl Failure {
    pub fn fatal(msg: impl Into<String>) -> Failure {
        Failure { retry: false, msg: msg.into() }
    }
    pub fn transient(msg: impl Into<String>) -> Failure {
        Failure { retry: true, msg: msg.into() }
    }
}
