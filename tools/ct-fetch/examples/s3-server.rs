//! An S3-protocol server on 127.0.0.1 over a folder whose subfolders are buckets (the one the
//! tests use), for `bench/fetch.sh`: `cargo run --release -p ct-fetch --example s3-server DIR`
//! prints `http://127.0.0.1:PORT` and serves until killed. Credentials: see tests/support. A
//! digest's signature sidecar (`.NAME.meta.json`, as a mirror keeps it) is served as the
//! object's user metadata (`x-amz-meta-signature`, ...), as S3 holds it.

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: s3-server DIR");
    let server = support::Server::start(std::path::Path::new(&dir));
    println!("{}", server.url());
    loop {
        std::thread::park();
    }
}
