//! `deploy/`: systemd readiness (`Type=notify`) on a real Unix datagram socket, the production
//! and container configs through `--check` and a real start, the Dockerfile's copies and health
//! check, and the metric names that the Grafana dashboard and the Prometheus alerts use, checked
//! against `kzdns::metrics::ALL` and against a real scrape.

use std::{
    collections::BTreeSet,
    os::unix::net::UnixDatagram,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use hickory_proto::{op::ResponseCode, rr::RecordType};
use kzdns::metrics as m;
use serde_json::Value as Json;
use serde_norway::Value as Yaml;

use crate::support::*;

/// A file of the repository.
fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml(rel: &str) -> Yaml {
    serde_norway::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// systemd readiness

/// How long a notification may take.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(20);

/// `kzdns serve` started as systemd would start it for `Type=notify`: NOTIFY_SOCKET names a
/// datagram socket this test bound. Its log goes to a file, so what was written before a
/// notification was sent is in the file when the notification arrives.
struct Notified {
    child: Child,
    socket: Option<UnixDatagram>,
    log: PathBuf,
    /// Holds the socket, the log and the config for as long as the server runs.
    _dir: tempfile::TempDir,
}

impl Notified {
    /// Starts `kzdns serve --config <dir>/kzdns.toml`; `notify`: bind the socket (true), or
    /// point NOTIFY_SOCKET at a path nobody listens on (false).
    fn start(dir: tempfile::TempDir, notify: bool) -> Self {
        let path = dir.path().join("notify.sock");
        let socket = notify.then(|| {
            let socket = UnixDatagram::bind(&path).unwrap();
            socket.set_read_timeout(Some(NOTIFY_TIMEOUT)).unwrap();
            socket
        });
        let log = dir.path().join("kzdns.log");
        let child = Command::new(KZDNS)
            .arg("serve")
            .arg("--config")
            .arg(dir.path().join("kzdns.toml"))
            .current_dir(dir.path())
            .env("RUST_LOG", "info")
            .env("NOTIFY_SOCKET", &path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("kzdns starts");
        Self {
            child,
            socket,
            log,
            _dir: dir,
        }
    }

    /// The next notification, as sent (`KEY=VALUE` lines).
    fn next(&self) -> String {
        let socket = self.socket.as_ref().expect("a notify socket");
        let mut buf = [0; 4096];
        match socket.recv(&mut buf) {
            Ok(len) => String::from_utf8(buf[..len].to_vec()).unwrap(),
            Err(e) => panic!(
                "no notification within {NOTIFY_TIMEOUT:?} ({e}):\n{}",
                self.log()
            ),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// An address the server logged as `listening on <proto> ADDR`.
    fn bound(&self, proto: &str) -> Option<std::net::SocketAddr> {
        let log = self.log();
        let rest = log.split(&format!("listening on {proto} ")).nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    }

    /// Sends SIGTERM and waits (bounded) for the exit code.
    fn terminate(&mut self) -> Option<i32> {
        signal_pid(self.child.id(), "TERM");
        self.wait_exit()
    }

    /// Waits (bounded) for the process to exit; its exit code.
    fn wait_exit(&mut self) -> Option<i32> {
        let mut code = None;
        let exited = eventually(Duration::from_secs(10), || {
            code = self.child.try_wait().unwrap().map(|s| s.code());
            code.is_some()
        });
        assert!(exited, "kzdns did not exit after SIGTERM:\n{}", self.log());
        code.flatten()
    }
}

impl Drop for Notified {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temp dir holding a config for the fixture zones and the shipped policy, on free ports.
fn fixture_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kzdns.toml"),
        format!(
            "[dns]\nlisten = [\"127.0.0.1:0\"]\n[zones]\ndir = {:?}\n[policy]\ndir = {:?}\n\
             [notice]\nlisten = \"127.0.0.1:0\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n",
            data("zones").display().to_string(),
            repo("policy").display().to_string(),
        ),
    )
    .unwrap();
    dir
}

fn assert_answers_soa(addr: std::net::SocketAddr) {
    let query = query_message("kz.", RecordType::SOA, None);
    let udp = udp_exchange(addr, &query);
    assert_eq!(udp.metadata.response_code, ResponseCode::NoError);
    assert_eq!(rdata_of(&udp.answers, RecordType::SOA).len(), 1);
    let tcp = tcp_exchange(addr, &query, 1);
    assert_eq!(rdata_of(&tcp[0].answers, RecordType::SOA).len(), 1);
}

#[test]
fn ready_comes_after_every_listener_is_logged_and_dns_answers_at_once() {
    let mut server = Notified::start(fixture_dir(), true);
    assert_eq!(server.next(), "READY=1\n", "the first notification");
    // Written before READY=1 was sent, so in the file now: no waiting.
    let log = server.log();
    for proto in ["udp", "tcp", "http", "metrics"] {
        assert!(
            log.contains(&format!("listening on {proto} ")),
            "READY=1 before the {proto} listener was logged:\n{log}"
        );
    }
    // One query each over UDP and TCP, no retry: the sockets are serving.
    assert_answers_soa(server.bound("udp").unwrap());
    let health = http_get(server.bound("http").unwrap(), "localhost", "/healthz");
    assert_eq!((health.status, health.body.trim_end()), (200, "ok"));

    // SIGHUP: RELOADING=1 with the monotonic clock (systemd 253 wants it), READY=1 when done.
    signal_pid(server.child.id(), "HUP");
    let reloading = server.next();
    let mut lines = reloading.lines();
    assert_eq!(lines.next(), Some("RELOADING=1"), "{reloading}");
    let usec = lines.next().and_then(|l| l.strip_prefix("MONOTONIC_USEC="));
    assert!(
        usec.is_some_and(|u| u.parse::<u64>().is_ok_and(|u| u > 0)),
        "{reloading}"
    );
    assert_eq!(server.next(), "READY=1\n");
    let log = server.log();
    assert!(
        log.contains("zones reloaded") && log.contains("policy reloaded"),
        "READY=1 before the reload finished:\n{log}"
    );

    // SIGTERM: STOPPING=1 as the drain begins, then a clean exit.
    signal_pid(server.child.id(), "TERM");
    assert_eq!(server.next(), "STOPPING=1\n");
    let code = server.wait_exit();
    assert_eq!(code, Some(0), "{}", server.log());
}

#[test]
fn without_a_notify_socket_the_server_serves_as_usual() {
    // NOTIFY_SOCKET naming a socket nobody bound: one warning, and the server serves.
    let mut server = Notified::start(fixture_dir(), false);
    assert!(
        eventually(Duration::from_secs(20), || server.bound("udp").is_some()),
        "{}",
        server.log()
    );
    assert_answers_soa(server.bound("udp").unwrap());
    assert!(
        eventually(Duration::from_secs(5), || server
            .log()
            .contains("cannot notify systemd")),
        "{}",
        server.log()
    );
    assert_eq!(server.terminate(), Some(0));
    // NOTIFY_SOCKET unset, as in every other test (unless this test runs under systemd
    // itself): nothing is sent and nothing is said about it.
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        let plain = Setup::new().start();
        assert_answers_soa(plain.addr);
        assert!(
            !plain.log().contains("cannot notify systemd"),
            "{}",
            plain.log()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The example configs

/// The example configs shipped in deploy/, each installed as /etc/kzdns/kzdns.toml with zones/
/// and policy/ beside it.
const CONFIGS: [&str; 2] = [
    "deploy/kzdns.production.toml",
    "deploy/kzdns.container.toml",
];

/// `rel` copied into a temp dir beside the repository's zones/ and policy/, with only its
/// listen addresses moved to free loopback ports.
fn installed(rel: &str) -> tempfile::TempDir {
    let mut config: toml::Table = toml::from_str(&read(rel)).unwrap();
    let loopback = toml::Value::String("127.0.0.1:0".into());
    for (table, key) in [
        ("notice", "listen"),
        ("notice", "tls_listen"),
        ("metrics", "listen"),
    ] {
        if let Some(value) = config
            .get_mut(table)
            .and_then(|t| t.as_table_mut())
            .and_then(|t| t.get_mut(key))
        {
            *value = loopback.clone();
        }
    }
    config
        .get_mut("dns")
        .and_then(|t| t.as_table_mut())
        .expect("a [dns] table")
        .insert("listen".into(), toml::Value::Array(vec![loopback]));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kzdns.toml"),
        toml::to_string(&config).unwrap(),
    )
    .unwrap();
    for folder in ["zones", "policy"] {
        std::os::unix::fs::symlink(repo(folder), dir.path().join(folder)).unwrap();
    }
    dir
}

#[test]
fn example_configs_pass_check_and_serve() {
    for rel in CONFIGS {
        // The layout of kzdns.service and the Dockerfile: zones/ and policy/ beside the config.
        let config: toml::Table = toml::from_str(&read(rel)).unwrap();
        assert_eq!(config["zones"]["dir"].as_str(), Some("zones"), "{rel}");
        assert_eq!(config["policy"]["dir"].as_str(), Some("policy"), "{rel}");

        let dir = installed(rel);
        let out = Command::new(KZDNS)
            .args(["serve", "--check", "--config"])
            .arg(dir.path().join("kzdns.toml"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{rel}:\n{stdout}\n{stderr}");
        assert!(
            stdout.contains("mode notice") && stdout.contains("zone kz.: ok"),
            "{rel}:\n{stdout}"
        );

        let mut server = Notified::start(dir, true);
        assert_eq!(server.next(), "READY=1\n", "{rel}");
        assert_answers_soa(server.bound("udp").unwrap());
        let health = http_get(server.bound("http").unwrap(), "localhost", "/healthz");
        assert_eq!(health.status, 200, "{rel}");
        assert_eq!(server.terminate(), Some(0), "{rel}");
    }
}

#[test]
fn unit_dockerfile_and_configs_agree_on_the_layout() {
    let unit = read("deploy/kzdns.service");
    let config = "--config /etc/kzdns/kzdns.toml";
    for key in ["ExecStartPre=", "ExecStart=", "ExecReload="] {
        let lines: Vec<&str> = unit.lines().filter(|l| l.starts_with(key)).collect();
        assert!(!lines.is_empty(), "{key}");
        for line in lines.iter().filter(|l| l.contains("kzdns serve")) {
            assert!(
                line.starts_with(&format!("{key}/usr/local/bin/kzdns serve"))
                    && line.contains(config),
                "{line}"
            );
        }
    }
    assert!(unit.contains("ExecStartPre=/usr/local/bin/kzdns serve --check"));
    assert!(unit.contains("ExecReload=/bin/kill -HUP $MAINPID"));
    assert!(unit.contains("Type=notify\n"));

    let dockerfile = read("deploy/Dockerfile");
    assert!(dockerfile.contains(r#"CMD ["serve", "--config", "/etc/kzdns/kzdns.toml"]"#));
    assert!(dockerfile.contains("COPY deploy/kzdns.container.toml /etc/kzdns/kzdns.toml"));
}

#[test]
fn zones_pulled_by_axfr_as_the_readme_says_load_on_a_node() {
    // The anycast recipe: a node's puller runs dig against the primary, one file per zone.
    let primary = Setup::new()
        .zones(&repo("zones"))
        .zones_extra("allow_transfer = [\"127.0.0.1\"]")
        .start();
    let node = tempfile::tempdir().unwrap();
    let zones = node.path().join("zones");
    std::fs::create_dir(&zones).unwrap();
    let origins = ["kz", "xn--80ao21a", "bank.kz", "shop.kz"];
    for origin in origins {
        let text = dig(
            &primary,
            &[
                origin,
                "AXFR",
                "+onesoa",
                "+nocmd",
                "+nostats",
                "+nocomments",
            ],
        );
        assert!(text.contains("\tSOA\t"), "{origin}: {text}");
        std::fs::write(zones.join(format!("{origin}.zone")), text).unwrap();
    }
    let config = node.path().join("kzdns.toml");
    std::fs::write(
        &config,
        format!(
            "[policy]\ndir = {:?}\n",
            repo("policy").display().to_string()
        ),
    )
    .unwrap();
    let check = |config: &Path| {
        let out = Command::new(KZDNS)
            .args(["serve", "--check", "--config"])
            .arg(config)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let mut zones: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("zone "))
            .map(str::to_owned)
            .collect();
        zones.sort();
        zones
    };
    // The same zones, serials and record counts as the primary's own files.
    let original = tempfile::tempdir().unwrap();
    let original_config = original.path().join("kzdns.toml");
    std::fs::write(
        &original_config,
        format!(
            "[zones]\ndir = {:?}\n[policy]\ndir = {:?}\n",
            repo("zones").display().to_string(),
            repo("policy").display().to_string()
        ),
    )
    .unwrap();
    let pulled = check(&config);
    assert_eq!(pulled.len(), origins.len(), "{pulled:?}");
    assert_eq!(pulled, check(&original_config));
}

// ---------------------------------------------------------------------------------------------
// The container

/// The `COPY` sources of the Dockerfile (not `--from` another stage).
fn dockerfile_copies(dockerfile: &str) -> Vec<String> {
    dockerfile
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words[..words.len() - 1]
                .iter()
                .map(|w| w.trim_end_matches('/').to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn dockerfile_copies_what_the_context_sends_and_its_health_check_works() {
    let dockerfile = read("deploy/Dockerfile");
    // The build context is the repository root; BuildKit reads deploy/Dockerfile.dockerignore,
    // which excludes everything and lets through what the Dockerfile copies.
    let ignore = read("deploy/Dockerfile.dockerignore");
    let allowed: Vec<&str> = ignore
        .lines()
        .filter_map(|l| l.strip_prefix('!'))
        .map(|l| l.trim_end_matches('/'))
        .collect();
    let copies = dockerfile_copies(&dockerfile);
    assert!(copies.len() >= 6, "{copies:?}");
    for source in &copies {
        assert!(
            repo(source).exists(),
            "COPY {source}: not in the repository"
        );
        assert!(
            allowed.contains(&source.as_str()),
            "COPY {source}: excluded by Dockerfile.dockerignore"
        );
    }

    // EXPOSE names the container config's ports.
    let expose = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("EXPOSE "))
        .unwrap();
    for port in ["53/udp", "53/tcp", "80/tcp", "9153/tcp"] {
        assert!(expose.split_whitespace().any(|p| p == port), "{expose}");
    }
    let config: toml::Table = toml::from_str(&read("deploy/kzdns.container.toml")).unwrap();
    assert_eq!(config["dns"]["listen"][0].as_str(), Some("0.0.0.0:53"));
    assert_eq!(config["notice"]["listen"].as_str(), Some("0.0.0.0:80"));
    assert_eq!(config["metrics"]["listen"].as_str(), Some("0.0.0.0:9153"));

    // The HEALTHCHECK command itself, against a running server's notice page (port 80 → its
    // port), and against a closed port.
    let joined = dockerfile.replace("\\\n", " ");
    let check = joined
        .lines()
        .find(|l| l.starts_with("HEALTHCHECK "))
        .and_then(|l| l.split_once(" CMD "))
        .map(|(_, cmd)| cmd)
        .unwrap();
    let argv: Vec<String> = serde_json::from_str(check).unwrap();
    assert_eq!(argv[..2], ["bash", "-c"]);
    let server = Setup::new().start();
    let run = |port: u16| {
        let script = argv[2].replace("/127.0.0.1/80 ", &format!("/127.0.0.1/{port} "));
        assert_ne!(script, argv[2]);
        Command::new("bash")
            .args(["-c", &script])
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
    };
    assert!(
        run(server.http().port()),
        "the health check fails on a healthy server"
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    assert!(!run(port), "the health check passes with nothing listening");
}

#[test]
fn compose_provisioning_and_prometheus_files_fit_together() {
    let compose = yaml("deploy/compose.yaml");
    let services = &compose["services"];
    let build = &services["kzdns"]["build"];
    let context = repo("deploy").join(build["context"].as_str().unwrap());
    assert!(
        context
            .join(build["dockerfile"].as_str().unwrap())
            .is_file()
    );
    // Every bind mount's host side exists (relative to deploy/).
    let mut mounts = Vec::new();
    for name in ["kzdns", "prometheus", "grafana"] {
        for volume in services[name]["volumes"].as_sequence().unwrap() {
            let volume = volume.as_str().unwrap();
            let (host, rest) = volume.split_once(':').unwrap();
            if host.starts_with('.') {
                assert!(repo("deploy").join(host).exists(), "{name}: {volume}");
                mounts.push(rest.split(':').next().unwrap().to_owned());
            }
        }
    }
    // Grafana reads the dashboards where compose mounts them.
    let provider = yaml("deploy/grafana/provisioning/dashboards/kzdns.yml");
    let path = provider["providers"][0]["options"]["path"]
        .as_str()
        .unwrap();
    assert!(mounts.iter().any(|m| m == path), "{path} not in {mounts:?}");
    let datasource = yaml("deploy/grafana/provisioning/datasources/prometheus.yml");
    assert_eq!(
        datasource["datasources"][0]["url"].as_str(),
        Some("http://prometheus:9090")
    );
    // Prometheus scrapes the kzdns service on the container config's metrics port, and loads
    // the alert rules.
    let prometheus = yaml("deploy/prometheus/prometheus.yml");
    let job = &prometheus["scrape_configs"][0];
    assert_eq!(job["job_name"].as_str(), Some("kzdns"));
    assert_eq!(
        job["static_configs"][0]["targets"][0].as_str(),
        Some("kzdns:9153")
    );
    assert_eq!(prometheus["rule_files"][0].as_str(), Some("alerts.yml"));
}

// ---------------------------------------------------------------------------------------------
// Metric names in the dashboard and the alerts

/// Every `kzdns_...` metric name in a PromQL expression.
fn metric_names(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = expr.as_bytes();
    let mut from = 0;
    while let Some(at) = expr[from..].find("kzdns_").map(|i| from + i) {
        let starts_word =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let end = expr[at..]
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .map_or(expr.len(), |i| at + i);
        if starts_word {
            names.push(expr[at..end].to_owned());
        }
        from = end;
    }
    names
}

/// The PromQL of the dashboard: every panel target's `expr` and the template variables'
/// queries.
fn dashboard_queries() -> Vec<String> {
    fn walk(value: &Json, out: &mut Vec<String>) {
        match value {
            Json::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("expr" | "query" | "definition", Json::String(s)) => out.push(s.clone()),
                        _ => walk(value, out),
                    }
                }
            }
            Json::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let dashboard: Json = serde_json::from_str(&read("deploy/grafana/dashboards/kzdns.json"))
        .expect("the dashboard is JSON");
    let mut out = Vec::new();
    walk(&dashboard, &mut out);
    out
}

/// The PromQL of the alert rules, and the series names their unit tests feed in.
fn alert_queries() -> Vec<String> {
    let rules = yaml("deploy/prometheus/alerts.yml");
    let mut out: Vec<String> = rules["groups"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_sequence().unwrap())
        .map(|r| {
            r["expr"]
                .as_str()
                .expect("every rule has an expr")
                .to_owned()
        })
        .collect();
    let tests = yaml("deploy/prometheus/alerts.test.yml");
    for test in tests["tests"].as_sequence().unwrap() {
        for series in test["input_series"].as_sequence().unwrap() {
            out.push(series["series"].as_str().unwrap().to_owned());
        }
    }
    out
}

/// Metric names used by the dashboard and the alerts, as written (histogram suffixes kept).
fn used_names() -> BTreeSet<String> {
    let dashboard = dashboard_queries();
    let alerts = alert_queries();
    assert!(dashboard.len() >= 20, "{dashboard:?}");
    assert!(alerts.len() >= 6, "{alerts:?}");
    dashboard
        .iter()
        .chain(&alerts)
        .flat_map(|q| metric_names(q))
        .collect()
}

/// The metric a sample name belongs to: itself, or a histogram's `_bucket` / `_sum` / `_count`.
fn family(name: &str) -> Option<&'static str> {
    let exact = m::ALL.iter().find(|n| **n == name);
    exact
        .or_else(|| {
            ["_bucket", "_sum", "_count"]
                .iter()
                .filter_map(|suffix| name.strip_suffix(suffix))
                .find_map(|base| m::ALL.iter().find(|n| **n == base))
        })
        .copied()
}

#[test]
fn metric_names_are_found_in_promql() {
    assert_eq!(
        metric_names(
            r#"histogram_quantile(0.9, sum by (le) (rate(kzdns_dns_request_duration_seconds_bucket{job="kzdns"}[5m]))) / kzdns_x_total"#
        ),
        ["kzdns_dns_request_duration_seconds_bucket", "kzdns_x_total"]
    );
    assert!(metric_names(r#"up{job="kzdns"} == 0 and my_kzdns_total"#).is_empty());
}

#[test]
fn dashboard_and_alerts_use_only_metrics_that_exist() {
    let used = used_names();
    let unknown: Vec<&String> = used.iter().filter(|n| family(n).is_none()).collect();
    assert!(
        unknown.is_empty(),
        "not in kzdns::metrics::ALL: {unknown:?}"
    );
    // The other way round: every metric kzdns exports is on the dashboard.
    let on_dashboard: BTreeSet<&str> = dashboard_queries()
        .iter()
        .flat_map(|q| metric_names(q))
        .filter_map(|n| family(&n))
        .collect();
    let missing: Vec<&&str> = m::ALL
        .iter()
        .filter(|n| !on_dashboard.contains(**n))
        .collect();
    assert!(
        missing.is_empty(),
        "add these to deploy/grafana/dashboards/kzdns.json: {missing:?}"
    );
}

#[test]
fn dashboard_and_alert_metrics_appear_in_a_real_scrape() {
    let server = Setup::new()
        .zones(&data("policy-zones"))
        .mode("notice")
        .suspensions(
            "domain,reason,reference,since,note\ncasino.host.kz,malware,CERT-1,2026-11-02,\n",
        )
        .start();
    // A pass, a hosting violation, a suspension, and a notice page view: every labelled series
    // the dashboard draws has a sample.
    for qname in ["host.kz.", "foreign.host.kz.", "casino.host.kz."] {
        udp_exchange(server.addr, &query_message(qname, RecordType::A, None));
    }
    assert_eq!(http_get(server.http(), "casino.host.kz", "/").status, 200);

    let response = http_get(server.metrics_addr, "localhost", "/metrics");
    assert_eq!(response.status, 200);
    let scraped: BTreeSet<&str> = response
        .body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap())
        .collect();
    let absent: Vec<String> = used_names()
        .into_iter()
        .filter(|n| !scraped.contains(n.as_str()))
        .collect();
    assert!(
        absent.is_empty(),
        "used by deploy/ but not in /metrics: {absent:?}\nscraped: {scraped:?}"
    );
}
