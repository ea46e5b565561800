//! A running `kzdns serve` for one test, and DNS clients to talk to it.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream, UdpSocket},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    str::FromStr,
    sync::{Arc, Mutex, mpsc},
    time::{Duration, Instant},
};

use hickory_net::{
    client::{Client, ClientHandle},
    runtime::TokioRuntimeProvider,
    tcp::TcpClientStream,
    udp::UdpClientStream,
};
use hickory_proto::{
    op::{Edns, Message, MessageType, OpCode, Query},
    rr::{DNSClass, Name, RData, Record, RecordType, rdata::opt::EdnsOption},
};

/// The kzdns binary cargo built for these tests.
pub const KZDNS: &str = env!("CARGO_BIN_EXE_kzdns");

/// How long a server may take to start before the test fails.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// `tests/data/<rel>`.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// A `kzdns serve` child process, killed on drop.
pub struct TestServer {
    child: Child,
    /// UDP and TCP share this address (port 0 picks one port for both).
    pub addr: SocketAddr,
    /// Every bound UDP address, in `dns.listen` order.
    pub udp_addrs: Vec<SocketAddr>,
    /// The notice page's HTTP listener, as logged (`listening on http ADDR`).
    pub http_addr: Option<SocketAddr>,
    /// The notice page's HTTPS listener, when `notice.tls_listen` is configured.
    pub https_addr: Option<SocketAddr>,
    /// The Prometheus endpoint (`listening on metrics ADDR`).
    pub metrics_addr: SocketAddr,
    /// Holds the config file (and the policy folder, for `Setup::start`) for as long as the
    /// server runs.
    dir: tempfile::TempDir,
    log: Arc<Mutex<Vec<String>>>,
}

/// What a test server is started with: the fixture zones, the real allowlist, mode `audit`
/// (answers unchanged) unless a test asks for another.
pub struct Setup {
    /// The `[dns]` table's lines.
    dns: String,
    zones: PathBuf,
    /// Lines appended to the `[zones]` table.
    zones_extra: String,
    mode: String,
    exemptions: Option<String>,
    suspensions: Option<String>,
    /// Lines appended to the `[notice]` table (which always has `listen = "127.0.0.1:0"`).
    notice_extra: String,
    /// Files written into the server's folder (beside the config file) before it starts.
    files: Vec<(String, Vec<u8>)>,
    /// Extra files for the allowlist folder (beside the shipped ones).
    allowlist_extra: Vec<(String, String)>,
    /// Whole tables appended at the end.
    tables: String,
}

impl Setup {
    pub fn new() -> Self {
        Self {
            dns: "listen = [\"127.0.0.1:0\"]".into(),
            zones: data("zones"),
            zones_extra: String::new(),
            mode: "audit".into(),
            exemptions: None,
            suspensions: None,
            notice_extra: String::new(),
            files: Vec::new(),
            allowlist_extra: Vec::new(),
            tables: String::new(),
        }
    }

    /// Replaces the `[dns]` table's lines.
    pub fn dns(mut self, lines: &str) -> Self {
        self.dns = lines.to_owned();
        self
    }

    pub fn zones(mut self, dir: &Path) -> Self {
        self.zones = dir.to_owned();
        self
    }

    pub fn zones_extra(mut self, lines: &str) -> Self {
        self.zones_extra = lines.to_owned();
        self
    }

    pub fn mode(mut self, mode: &str) -> Self {
        self.mode = mode.to_owned();
        self
    }

    pub fn exemptions(mut self, csv: &str) -> Self {
        self.exemptions = Some(csv.to_owned());
        self
    }

    /// `policy/suspensions.csv` (header included).
    pub fn suspensions(mut self, csv: &str) -> Self {
        self.suspensions = Some(csv.to_owned());
        self
    }

    /// Lines appended to the `[notice]` table.
    pub fn notice_extra(mut self, lines: &str) -> Self {
        self.notice_extra = lines.to_owned();
        self
    }

    /// A file at `rel` beside the config file (relative config paths resolve there).
    pub fn file(mut self, rel: &str, content: impl Into<Vec<u8>>) -> Self {
        self.files.push((rel.to_owned(), content.into()));
        self
    }

    pub fn allowlist_file(mut self, name: &str, content: &str) -> Self {
        self.allowlist_extra
            .push((name.to_owned(), content.to_owned()));
        self
    }

    pub fn tables(mut self, toml: &str) -> Self {
        self.tables = toml.to_owned();
        self
    }

    pub fn start(self) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("policy");
        std::fs::create_dir(&policy).unwrap();
        // The shipped allowlist files, linked, plus the test's own.
        let allowlist = policy.join("allowlist");
        std::fs::create_dir(&allowlist).unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/allowlist");
        for entry in std::fs::read_dir(shipped).unwrap() {
            let path = entry.unwrap().path();
            std::os::unix::fs::symlink(&path, allowlist.join(path.file_name().unwrap())).unwrap();
        }
        for (name, content) in &self.allowlist_extra {
            std::fs::write(allowlist.join(name), content).unwrap();
        }
        if let Some(csv) = &self.exemptions {
            std::fs::write(policy.join("exemptions.csv"), csv).unwrap();
        }
        if let Some(csv) = &self.suspensions {
            std::fs::write(policy.join("suspensions.csv"), csv).unwrap();
        }
        for (rel, content) in &self.files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let config = format!(
            "[dns]\n{}\n[zones]\ndir = {:?}\n{}\n[policy]\ndir = {:?}\nmode = {:?}\n\
             [notice]\nlisten = \"127.0.0.1:0\"\n{}\n[metrics]\nlisten = \"127.0.0.1:0\"\n{}",
            self.dns,
            self.zones.display().to_string(),
            self.zones_extra,
            policy.display().to_string(),
            self.mode,
            self.notice_extra,
            self.tables
        );
        TestServer::start_in(dir, &config)
    }
}

impl TestServer {
    /// Serves `tests/data/zones` on 127.0.0.1 in mode audit, `zones_extra` added to `[zones]`.
    pub fn start(zones_extra: &str) -> Self {
        Setup::new().zones_extra(zones_extra).start()
    }

    pub fn start_with_zones(zones: &Path, zones_extra: &str) -> Self {
        Setup::new().zones(zones).zones_extra(zones_extra).start()
    }

    /// Starts the server with this config text; panics with the server's log on failure.
    fn start_in(dir: tempfile::TempDir, config: &str) -> Self {
        let path = dir.path().join("kzdns.toml");
        std::fs::write(&path, config).unwrap();
        let table = toml::from_str::<toml::Table>(config).ok();
        let listen_count = table
            .as_ref()
            .and_then(|t| t.get("dns")?.get("listen")?.as_array().map(|a| a.len()))
            .unwrap_or(1);
        let want_https = table
            .as_ref()
            .and_then(|t| t.get("notice")?.get("tls_listen"))
            .is_some();
        let mut child = Command::new(KZDNS)
            .arg("serve")
            .arg("--config")
            .arg(&path)
            .current_dir(dir.path())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kzdns starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        let (mut udp, mut tcp) = (Vec::new(), Vec::new());
        let (mut http, mut https, mut metrics) = (None, None, None);
        while tcp.len() < listen_count
            || http.is_none()
            || metrics.is_none()
            || (want_https && https.is_none())
        {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = rx.recv_timeout(left) else {
                let _ = child.kill();
                panic!("kzdns did not start:\n{}", log.lock().unwrap().join("\n"));
            };
            if let Some(addr) = bound_addr(&line, "udp") {
                udp.push(addr);
            }
            if let Some(addr) = bound_addr(&line, "tcp") {
                tcp.push(addr);
            }
            http = http.or(bound_addr(&line, "http"));
            https = https.or(bound_addr(&line, "https"));
            metrics = metrics.or(bound_addr(&line, "metrics"));
        }
        assert_eq!(udp[0], tcp[0], "UDP and TCP share one port");
        Self {
            child,
            addr: udp[0],
            udp_addrs: udp,
            http_addr: http,
            https_addr: https,
            metrics_addr: metrics.expect("waited for it"),
            dir,
            log,
        }
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// The policy folder the server watches (in the test's temp dir).
    pub fn policy_dir(&self) -> PathBuf {
        self.dir.path().join("policy")
    }

    /// Waits (bounded) until the server has logged a line containing `needle`.
    pub fn logged(&self, needle: &str) -> bool {
        eventually(Duration::from_secs(5), || self.log().contains(needle))
    }

    /// A file in the server's folder (`policy/suspensions.csv`, ...), for edits before a reload.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The notice page's HTTP address.
    pub fn http(&self) -> SocketAddr {
        self.http_addr
            .expect("the notice page's HTTP listener was logged")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal and waits (bounded) for the process to exit; returns its exit code.
    pub fn signal_and_wait(&mut self, signal: &str) -> Option<i32> {
        signal_pid(self.pid(), signal);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("kzdns did not exit after {signal}:\n{}", self.log());
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn signal_pid(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

fn bound_addr(line: &str, proto: &str) -> Option<SocketAddr> {
    let rest = line.split(&format!("listening on {proto} ")).nth(1)?;
    // A text line ends the address with white space, a JSON line with a quote.
    rest.split(|c: char| c.is_whitespace() || c == '"')
        .next()?
        .parse()
        .ok()
}

pub fn name(s: &str) -> Name {
    Name::from_str(s).unwrap()
}

/// hickory's DNS client over UDP.
pub async fn udp_client(addr: SocketAddr) -> Client<TokioRuntimeProvider> {
    let stream = UdpClientStream::builder(addr, TokioRuntimeProvider::default()).build();
    let (client, bg) = Client::<TokioRuntimeProvider>::from_sender(stream);
    tokio::spawn(bg);
    client
}

/// hickory's DNS client over TCP.
pub async fn tcp_client(addr: SocketAddr) -> Client<TokioRuntimeProvider> {
    let (future, sender) = TcpClientStream::new(addr, None, None, TokioRuntimeProvider::default());
    let (client, bg) = Client::<TokioRuntimeProvider>::new(future.await.unwrap(), sender);
    tokio::spawn(bg);
    client
}

/// One query through hickory's client; the whole response message.
pub async fn ask(
    client: &mut Client<TokioRuntimeProvider>,
    qname: &str,
    qtype: RecordType,
) -> Message {
    client
        .query(name(qname), DNSClass::IN, qtype)
        .await
        .unwrap_or_else(|e| panic!("{qname} {qtype}: {e}"))
        .into_message()
}

/// A query message built by hand, for what a normal client would not send.
pub fn query_message(qname: &str, qtype: RecordType, edns_payload: Option<u16>) -> Message {
    let mut message = Message::new(0x4b5a, MessageType::Query, OpCode::Query);
    message.add_query(Query::query(name(qname), qtype));
    if let Some(payload) = edns_payload {
        let mut edns = Edns::new();
        edns.set_max_payload(payload);
        message.edns = Some(edns);
    }
    message
}

/// Sends raw bytes over UDP; the reply's bytes, or None when nothing came back within `wait`.
pub fn udp_raw(addr: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let bind: SocketAddr = if addr.is_ipv4() {
        "127.0.0.1:0"
    } else {
        "[::1]:0"
    }
    .parse()
    .unwrap();
    let socket = UdpSocket::bind(bind).unwrap();
    socket.set_read_timeout(Some(wait)).unwrap();
    socket.send_to(bytes, addr).unwrap();
    let mut buf = vec![0; 65535];
    let (len, _) = socket.recv_from(&mut buf).ok()?;
    buf.truncate(len);
    Some(buf)
}

/// One message over UDP, decoded.
pub fn udp_exchange(addr: SocketAddr, message: &Message) -> Message {
    let bytes = udp_raw(addr, &message.to_vec().unwrap(), Duration::from_secs(5)).expect("a reply");
    Message::from_vec(&bytes).unwrap()
}

/// One message over TCP; every reply message until the server has sent `replies` of them.
pub fn tcp_exchange(addr: SocketAddr, message: &Message, replies: usize) -> Vec<Message> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let bytes = message.to_vec().unwrap();
    let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
    framed.extend(bytes);
    stream.write_all(&framed).unwrap();
    (0..replies)
        .map(|_| read_tcp_message(&mut stream))
        .collect()
}

/// A whole zone transfer over TCP: every message until the closing SOA; (messages, records).
pub fn axfr(addr: SocketAddr, zone: &str) -> (usize, Vec<Record>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let bytes = query_message(zone, RecordType::AXFR, None)
        .to_vec()
        .unwrap();
    let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
    framed.extend(bytes);
    stream.write_all(&framed).unwrap();
    let (mut messages, mut records) = (0, Vec::new());
    loop {
        let message = read_tcp_message(&mut stream);
        assert_eq!(
            message.metadata.response_code,
            hickory_proto::op::ResponseCode::NoError
        );
        messages += 1;
        records.extend(message.answers);
        let soas = records
            .iter()
            .filter(|r| r.record_type() == RecordType::SOA)
            .count();
        if soas == 2 || records.is_empty() {
            return (messages, records);
        }
    }
}

pub fn read_tcp_message(stream: &mut TcpStream) -> Message {
    let mut len = [0; 2];
    stream.read_exact(&mut len).unwrap();
    let mut buf = vec![0; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut buf).unwrap();
    Message::from_vec(&buf).unwrap()
}

/// The Extended DNS Errors of a reply: (INFO-CODE, EXTRA-TEXT).
pub fn edes(message: &Message) -> Vec<(u16, String)> {
    let Some(edns) = &message.edns else {
        return Vec::new();
    };
    edns.options()
        .as_ref()
        .iter()
        .filter_map(|(_, option)| match option {
            EdnsOption::Unknown(15, data) if data.len() >= 2 => Some((
                u16::from_be_bytes([data[0], data[1]]),
                String::from_utf8_lossy(&data[2..]).into_owned(),
            )),
            _ => None,
        })
        .collect()
}

/// The records of one type in a section, as text (`rdata` only), sorted.
pub fn rdata_of(records: &[Record], rtype: RecordType) -> Vec<String> {
    let mut out: Vec<String> = records
        .iter()
        .filter(|r| r.record_type() == rtype)
        .map(|r| r.data.to_string())
        .collect();
    out.sort();
    out
}

/// `(owner, type)` of every record in a section, in order.
pub fn owners(records: &[Record]) -> Vec<(String, RecordType)> {
    records
        .iter()
        .map(|r| (r.name.to_ascii(), r.record_type()))
        .collect()
}

pub fn soa_serial(record: &Record) -> u32 {
    match &record.data {
        RData::SOA(soa) => soa.serial,
        other => panic!("not an SOA: {other:?}"),
    }
}

/// Runs `dig` against the server with these arguments; its stdout.
pub fn dig(server: &TestServer, args: &[&str]) -> String {
    let output = Command::new("dig")
        .arg(format!("@{}", server.addr.ip()))
        .arg("-p")
        .arg(server.addr.port().to_string())
        .args(["+norec", "+time=5", "+tries=1"])
        .args(args)
        .output()
        .expect("dig is installed (dnsutils; .ci/run installs it)");
    String::from_utf8(output.stdout).unwrap()
}

/// Polls `check` until it returns true or `timeout` passes.
pub fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

/// An HTTP response as a test sees it.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request over a new connection, written by hand so the test controls every byte
/// of the `Host` header (UTF-8, ports, IPv6 literals); `headers` are extra `Name: value` pairs.
pub fn http_request(
    addr: SocketAddr,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> HttpResponse {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    http_exchange(stream, method, host, path, headers)
}

/// GET with a Host header, nothing else.
pub fn http_get(addr: SocketAddr, host: &str, path: &str) -> HttpResponse {
    http_request(addr, "GET", host, path, &[])
}

/// Writes one request on `stream` and reads the response until the server closes.
pub fn http_exchange(
    mut stream: impl Read + Write,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> HttpResponse {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    if let Err(error) = stream.read_to_end(&mut raw) {
        // A TLS peer that closes without close_notify: what arrived is the response.
        assert!(
            error.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty(),
            "{error}"
        );
    }
    let text = String::from_utf8(raw).expect("a UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}
