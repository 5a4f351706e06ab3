//! Test support: trail buckets written to a folder (used as a local source and served over S3),
//! and a real S3-protocol server on 127.0.0.1 (s3s + s3s-fs) with injected faults.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use ct_common::time::days_from_civil;

pub mod lookup;

pub const ACCOUNT: &str = "111122223333";
pub const OTHER: &str = "444455556666";
pub const ORG: &str = "o-a1b2c3d4e5";

/// The ct-fetch binary of this build.
pub fn fetch() -> Command {
    // Set by cargo for tests; examples run the one on PATH.
    Command::new(option_env!("CARGO_BIN_EXE_ct-fetch").unwrap_or("ct-fetch"))
}

/// Seconds since the epoch of a UTC time.
pub fn at(y: i64, m: u32, d: u32, h: i64, mi: i64) -> i64 {
    days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60
}

fn stamp(t: i64, seconds: bool) -> String {
    let iso = ct_common::time::Time::from_secs(t).to_iso(); // 2017-06-01T13:05:00Z
    let digits: String = iso.chars().filter(|c| c.is_ascii_digit()).collect(); // 20170601130500
    if seconds {
        format!("{}T{}Z", &digits[..8], &digits[8..14])
    } else {
        format!("{}T{}Z", &digits[..8], &digits[8..12])
    }
}

fn day_path(t: i64) -> String {
    let iso = ct_common::time::Time::from_secs(t).to_iso();
    format!("{}/{}/{}", &iso[..4], &iso[5..7], &iso[8..10])
}

/// The key of a log file delivered at `t`.
pub fn log_key(prefix: &str, org: Option<&str>, account: &str, region: &str, t: i64, uniq: &str) -> String {
    let org = org.map(|o| format!("{o}/")).unwrap_or_default();
    format!(
        "{prefix}AWSLogs/{org}{account}/CloudTrail/{region}/{}/{account}_CloudTrail_{region}_{}_{uniq}.json.gz",
        day_path(t),
        stamp(t, false)
    )
}

/// The key of a digest delivered at `t`.
pub fn digest_key(prefix: &str, account: &str, region: &str, t: i64) -> String {
    format!(
        "{prefix}AWSLogs/{account}/CloudTrail-Digest/{region}/{}/{account}_CloudTrail-Digest_{region}_main_trail_us-east-1_{}.json.gz",
        day_path(t),
        stamp(t, true)
    )
}

/// A gzip log file with one event `minutes_before` delivery.
pub fn log_body(account: &str, region: &str, delivered: i64, minutes_before: i64) -> Vec<u8> {
    let t = ct_common::time::Time::from_secs(delivered - minutes_before * 60).to_iso();
    let json = format!(
        r#"{{"Records":[{{"eventVersion":"1.08","eventTime":"{t}","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"{region}","recipientAccountId":"{account}","eventID":"{account}-{region}-{delivered}"}}]}}"#
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json.as_bytes()).unwrap();
    gz.finish().unwrap()
}

/// Writes `bytes` under `root/bucket/key`.
pub fn put(root: &Path, key: &str, bytes: &[u8]) {
    let path = root.join(key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Writes `bytes` under `root/bucket/key` with S3 user metadata (names without `x-amz-meta-`),
/// where s3s-fs keeps it: the hidden file `.bucket-B.object-K.metadata.json` at the root of
/// its folder (B and K in URL-safe base64 without padding), holding `{"user_metadata":{...}}`.
/// The server then sends it as `x-amz-meta-NAME` headers on GetObject and HeadObject.
pub fn put_with_metadata(root: &Path, bucket: &str, key: &str, bytes: &[u8], meta: &[(&str, &str)]) {
    use base64::Engine;
    put(&root.join(bucket), key, bytes);
    let encode = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let user: serde_json::Map<String, serde_json::Value> =
        meta.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect();
    let file = root.join(format!(".bucket-{}.object-{}.metadata.json", encode(bucket), encode(key)));
    std::fs::write(file, serde_json::json!({ "user_metadata": user }).to_string()).unwrap();
}

/// A CloudTrail-like signature: 512 hex characters (a 2048-bit RSA signature), from `seed`.
pub fn signature(seed: &str) -> String {
    use sha2::Digest;
    let mut out = String::new();
    let mut block = sha2::Sha256::digest(seed.as_bytes()).to_vec();
    while out.len() < 512 {
        out += &hex::encode(&block);
        block = sha2::Sha256::digest(&block).to_vec();
    }
    out
}

/// The sidecar ct-fetch writes for a digest at `path` (`.NAME.meta.json` beside it).
pub fn sidecar_of(path: &Path) -> PathBuf {
    path.with_file_name(format!(".{}.meta.json", path.file_name().unwrap().to_string_lossy()))
}

/// A bucket laid out like real trails: a non-org account in two regions, an organization
/// with two accounts, digests, and deliveries around midnight and the window edges of the
/// tests (2017-06-01 13:00 to 2017-06-02 17:00). Returns every key written.
pub fn trail(root: &Path, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut add = |key: String, body: Vec<u8>| {
        put(root, &key, &body);
        keys.push(key);
    };
    let times = [
        at(2017, 5, 31, 23, 55), // the day before
        at(2017, 6, 1, 0, 5),    // just after midnight
        at(2017, 6, 1, 12, 54),  // before the window and its 5 minutes of early margin
        at(2017, 6, 1, 13, 0),   // the window's first minute
        at(2017, 6, 1, 18, 30),
        at(2017, 6, 1, 23, 58), // around midnight
        at(2017, 6, 2, 0, 2),
        at(2017, 6, 2, 17, 0),  // the window's end
        at(2017, 6, 2, 17, 55), // inside the lag
        at(2017, 6, 2, 18, 1),  // past the lag
        at(2017, 6, 3, 0, 10),  // the day after
    ];
    for (i, &t) in times.iter().enumerate() {
        for region in ["ap-southeast-2", "eu-west-1"] {
            let uniq = format!("{:016}", i * 10 + region.len());
            add(log_key(prefix, None, ACCOUNT, region, t, &uniq), log_body(ACCOUNT, region, t, 3));
        }
        for account in [ACCOUNT, OTHER] {
            let uniq = format!("org{:013}", i);
            add(log_key(prefix, Some(ORG), account, "us-east-1", t, &uniq), log_body(account, "us-east-1", t, 3));
        }
    }
    for t in [
        at(2017, 6, 1, 10, 0),
        at(2017, 6, 2, 12, 0),
        at(2017, 6, 2, 14, 0),
        at(2017, 6, 2, 18, 0),
        at(2017, 6, 2, 19, 30),
    ] {
        add(digest_key(prefix, ACCOUNT, "ap-southeast-2", t + 17), b"digest".to_vec());
    }
    keys.sort();
    keys
}

/// The log keys of `trail` that the window 2017-06-01 13:00 to 2017-06-02 17:00 needs with an
/// hour of delivery lag (worked out by hand from the delivery times above).
pub fn window_keys(prefix: &str) -> Vec<String> {
    let times = [
        at(2017, 6, 1, 13, 0),
        at(2017, 6, 1, 18, 30),
        at(2017, 6, 1, 23, 58),
        at(2017, 6, 2, 0, 2),
        at(2017, 6, 2, 17, 0),
        at(2017, 6, 2, 17, 55),
    ];
    let mut keys = Vec::new();
    for (j, &t) in times.iter().enumerate() {
        let i = j + 3;
        for region in ["ap-southeast-2", "eu-west-1"] {
            keys.push(log_key(prefix, None, ACCOUNT, region, t, &format!("{:016}", i * 10 + region.len())));
        }
        for account in [ACCOUNT, OTHER] {
            keys.push(log_key(prefix, Some(ORG), account, "us-east-1", t, &format!("org{:013}", i)));
        }
    }
    keys.sort();
    keys
}

/// The window of `window_keys`, as ct-fetch options.
pub const WINDOW: [&str; 4] = ["--start", "2017-06-01 1:00 pm", "--end", "2017-06-02 5:00 pm"];

/// The keys of --list output.
pub fn listed(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["key"].as_str().unwrap().to_string())
        .collect()
}

/// What to do to a request for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 503 SlowDown.
    SlowDown,
    /// 500 InternalError.
    Internal,
    /// The body stops halfway (the connection is cut).
    Cut,
    /// 403 AccessDenied (not worth retrying).
    Denied,
    /// Half the body comes, then nothing (for killing the client mid-download).
    Hang,
}

#[derive(Default)]
pub struct State {
    /// key -> (fault, how many more times)
    pub faults: HashMap<String, (Fault, u32)>,
    /// (listed prefix, key, body): keys served in the listing of a folder besides its files
    /// (keys the file system cannot hold, such as ones with `..`, or outside the folder).
    pub extra: Vec<(String, String, Vec<u8>)>,
    /// Every GET, in order.
    pub gets: Vec<String>,
    /// Every HEAD of an object, in order.
    pub heads: Vec<String>,
    /// (key, header name, raw value): headers added as they are to the responses for the key
    /// (values s3s would RFC 2047-encode, such as control characters).
    pub raw_headers: Vec<(String, String, Vec<u8>)>,
}

/// The service: s3s-fs over a folder, with faults injected by key.
struct Faulty {
    fs: s3s_fs::FileSystem,
    state: Arc<Mutex<State>>,
    root: PathBuf,
}

impl Faulty {
    /// The user metadata of an object whose folder holds a mirror's sidecar for it
    /// (`.NAME.meta.json`, as ct-fetch --digests -o writes it): a mirror served as the bucket
    /// it copies. s3s-fs keeps metadata in a file named after the bucket and key, which real
    /// digest keys make too long for a file name.
    fn sidecar(&self, bucket: &str, key: &str) -> Option<s3s::dto::Metadata> {
        let text = std::fs::read_to_string(sidecar_of(&self.root.join(bucket).join(key))).ok()?;
        let map: std::collections::BTreeMap<String, String> = serde_json::from_str(&text).ok()?;
        Some(map.into_iter().collect())
    }
}

#[derive(Debug)]
struct CutOff;
impl std::fmt::Display for CutOff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection cut by the test")
    }
}
impl std::error::Error for CutOff {}

#[async_trait::async_trait]
impl s3s::S3 for Faulty {
    async fn list_objects_v2(
        &self,
        req: s3s::S3Request<s3s::dto::ListObjectsV2Input>,
    ) -> s3s::S3Result<s3s::S3Response<s3s::dto::ListObjectsV2Output>> {
        let delimited = req.input.delimiter.is_some();
        let prefix = req.input.prefix.clone().unwrap_or_default();
        let mut resp = self.fs.list_objects_v2(req).await?;
        if !delimited {
            let state = self.state.lock().unwrap();
            for (_, key, body) in state.extra.iter().filter(|(p, _, _)| *p == prefix) {
                resp.output.contents.get_or_insert_with(Vec::new).push(s3s::dto::Object {
                    key: Some(key.clone()),
                    size: Some(body.len() as i64),
                    ..Default::default()
                });
            }
        }
        Ok(resp)
    }

    async fn head_object(
        &self,
        req: s3s::S3Request<s3s::dto::HeadObjectInput>,
    ) -> s3s::S3Result<s3s::S3Response<s3s::dto::HeadObjectOutput>> {
        self.state.lock().unwrap().heads.push(req.input.key.clone());
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        let mut resp = self.fs.head_object(req).await?;
        if resp.output.metadata.is_none() {
            resp.output.metadata = self.sidecar(&bucket, &key);
        }
        Ok(resp)
    }

    async fn get_object(
        &self,
        req: s3s::S3Request<s3s::dto::GetObjectInput>,
    ) -> s3s::S3Result<s3s::S3Response<s3s::dto::GetObjectOutput>> {
        let key = req.input.key.clone();
        let fault = {
            let mut state = self.state.lock().unwrap();
            state.gets.push(key.clone());
            if let Some((_, _, body)) = state.extra.iter().find(|(_, k, _)| *k == key) {
                let body = bytes::Bytes::from(body.clone());
                let stream = futures_util::stream::once(async move { Ok::<_, CutOff>(body) });
                let out = s3s::dto::GetObjectOutput {
                    body: Some(s3s::dto::StreamingBlob::wrap(stream)),
                    ..Default::default()
                };
                return Ok(s3s::S3Response::new(out));
            }
            match state.faults.get_mut(&key) {
                Some((f, n)) if *n > 0 => {
                    *n -= 1;
                    Some(*f)
                }
                _ => None,
            }
        };
        match fault {
            Some(Fault::SlowDown) => Err(s3s::s3_error!(SlowDown, "Please reduce your request rate.")),
            Some(Fault::Internal) => Err(s3s::s3_error!(InternalError, "We encountered an internal error.")),
            Some(Fault::Denied) => Err(s3s::s3_error!(AccessDenied, "Access Denied")),
            Some(f @ (Fault::Cut | Fault::Hang)) => {
                use futures_util::StreamExt;
                let mut resp = self.fs.get_object(req).await?;
                let mut body = Vec::new();
                if let Some(mut blob) = resp.output.body.take() {
                    while let Some(chunk) = blob.next().await {
                        body.extend_from_slice(&chunk.map_err(|_| s3s::s3_error!(InternalError))?);
                    }
                }
                // Half the body, then the connection is cut or the rest never comes.
                let half = bytes::Bytes::from(body[..body.len() / 2].to_vec());
                let first = futures_util::stream::iter(vec![Ok(half)]);
                resp.output.body = Some(if f == Fault::Cut {
                    s3s::dto::StreamingBlob::wrap(first.chain(futures_util::stream::iter(vec![Err(CutOff)])))
                } else {
                    s3s::dto::StreamingBlob::wrap(first.chain(futures_util::stream::pending()))
                });
                Ok(resp)
            }
            None => {
                let bucket = req.input.bucket.clone();
                let mut resp = self.fs.get_object(req).await?;
                if resp.output.metadata.is_none() {
                    resp.output.metadata = self.sidecar(&bucket, &key);
                }
                Ok(resp)
            }
        }
    }
}

/// A running server: its address, its shared state, and the folder holding its buckets.
pub struct Server {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
    pub root: PathBuf,
}

pub const KEY_ID: &str = "AKIACTTESTKEY0000001";
pub const SECRET: &str = "ct-test-secret-key-not-a-real-one";

impl Server {
    /// Starts a server on 127.0.0.1 (a free port) over `root`, whose folders are buckets.
    pub fn start(root: &Path) -> Server {
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let (root_buf, st, raw_state) = (root.to_path_buf(), Arc::clone(&state), Arc::clone(&state));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let fs = s3s_fs::FileSystem::new(&root_buf).unwrap();
                let mut b = s3s::service::S3ServiceBuilder::new(Faulty { fs, state: st, root: root_buf.clone() });
                b.set_auth(s3s::auth::SimpleAuth::from_single(KEY_ID, SECRET));
                let service = b.build();
                // Around the S3 service: the raw headers of the test, added to its responses.
                let raw = Arc::clone(&raw_state);
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (service, raw) = (service.clone(), Arc::clone(&raw));
                    async move {
                        let path = req.uri().path().to_string();
                        let mut resp = service.call(req.map(s3s::Body::from)).await?;
                        let state = raw.lock().unwrap();
                        for (_, name, value) in
                            state.raw_headers.iter().filter(|(k, _, _)| path.ends_with(&format!("/{k}")))
                        {
                            resp.headers_mut().append(
                                hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                                hyper::header::HeaderValue::from_bytes(value).unwrap(),
                            );
                        }
                        Ok::<_, s3s::HttpError>(resp)
                    }
                });
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let http = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
                loop {
                    let Ok((socket, _)) = listener.accept().await else { continue };
                    // Without it, Nagle's algorithm and the client's delayed ACK hold every
                    // response about 40 ms.
                    let _ = socket.set_nodelay(true);
                    let (service, http) = (service.clone(), http.clone());
                    tokio::spawn(async move {
                        let _ = http.serve_connection(hyper_util::rt::TokioIo::new(socket), service).await;
                    });
                }
            });
        });
        let addr = rx.recv().unwrap();
        Server { addr, state, root: root.to_path_buf() }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn fault(&self, key: &str, fault: Fault, times: u32) {
        self.state.lock().unwrap().faults.insert(key.to_string(), (fault, times));
    }

    /// Adds a header as it is to the responses for `key` (GetObject and HeadObject).
    pub fn raw_header(&self, key: &str, name: &str, value: &[u8]) {
        self.state.lock().unwrap().raw_headers.push((key.to_string(), name.to_string(), value.to_vec()));
    }

    pub fn gets(&self) -> Vec<String> {
        self.state.lock().unwrap().gets.clone()
    }

    pub fn heads(&self) -> Vec<String> {
        self.state.lock().unwrap().heads.clone()
    }

    /// Forgets the GETs and HEADs seen so far.
    pub fn clear_gets(&self) {
        let mut state = self.state.lock().unwrap();
        state.gets.clear();
        state.heads.clear();
    }

    /// ct-fetch against this server, with credentials and config isolated from the machine's.
    pub fn fetch(&self) -> Command {
        let mut cmd = self.fetch_without_endpoint();
        cmd.arg("--endpoint-url").arg(self.url());
        cmd
    }

    /// The same, but the endpoint is left for the caller to give (or not).
    pub fn fetch_without_endpoint(&self) -> Command {
        let mut cmd = fetch();
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        cmd
    }
}
