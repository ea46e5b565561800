//! Start-up, `--check`, bad input, signals.

use std::{process::Command, time::Duration};

use hickory_proto::rr::RecordType;

use crate::support::*;

fn kzdns(args: &[&str], cwd: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(KZDNS)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_malformed_zone_file_stops_start_up_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("k.toml");
    std::fs::write(
        &config,
        format!(
            "[dns]\nlisten = [\"127.0.0.1:0\"]\n[zones]\ndir = {:?}\n",
            data("bad-zones").display().to_string()
        ),
    )
    .unwrap();
    for extra in [&[][..], &["--check"][..]] {
        let mut args = vec!["serve", "--config", config.to_str().unwrap()];
        args.extend(extra);
        let (code, _, stderr) = kzdns(&args, dir.path());
        assert_ne!(code, 0, "{stderr}");
        assert!(stderr.contains("bad-zones/kz.zone:9:"), "{stderr}");
        assert!(stderr.contains("invalid IPv4 address"), "{stderr}");
    }
}

#[test]
fn check_reports_every_zone_and_exits_zero() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The shipped config-less defaults, from the repository root, as a new user runs them.
    let (code, stdout, stderr) = kzdns(&["serve", "--check"], root);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("zone kz.: ok"), "{stdout}");
    assert!(
        stdout.contains("zone қаз.: ok") || stdout.contains("zone xn--80ao21a.: ok"),
        "{stdout}"
    );
}

#[test]
fn config_errors_name_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[dns]\nlisten = [\"127.0.0.1:0\"]\nlisen = 3\n").unwrap();
    let (code, _, stderr) = kzdns(
        &["serve", "--check", "--config", config.to_str().unwrap()],
        dir.path(),
    );
    assert_ne!(code, 0);
    assert!(
        stderr.contains("bad.toml") && stderr.contains("lisen"),
        "{stderr}"
    );
    // kzdns.toml in the working directory is read without --config.
    std::fs::write(
        dir.path().join("kzdns.toml"),
        "[zones]\ndir = \"nowhere\"\n",
    )
    .unwrap();
    let (code, _, stderr) = kzdns(&["serve", "--check"], dir.path());
    assert_ne!(code, 0);
    assert!(stderr.contains("nowhere"), "{stderr}");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = TestServer::start("");
    assert_eq!(server.signal_and_wait("TERM"), Some(0));
    assert!(server.logged("shutting down"), "{}", server.log());
}

#[tokio::test]
async fn sighup_reloads_zones_and_keeps_the_old_ones_on_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let zone = dir.path().join("kz.zone");
    let write = |serial: u32, extra: &str| {
        std::fs::write(
            &zone,
            format!("$ORIGIN kz.\n@ 60 SOA a.nic.kz. h.nic.kz. {serial} 1 1 1 60\n@ 60 NS a.nic.kz.\n{extra}"),
        )
        .unwrap()
    };
    write(1, "");
    let server = TestServer::start_with_zones(dir.path(), "");
    let serial = || {
        let reply = udp_exchange(server.addr, &query_message("kz.", RecordType::SOA, None));
        soa_serial(&reply.answers[0])
    };
    assert_eq!(serial(), 1);
    write(2, "new 60 A 192.0.2.7\n");
    signal_pid(server.pid(), "HUP");
    assert!(
        eventually(Duration::from_secs(5), || serial() == 2),
        "{}",
        server.log()
    );
    // A broken edit is rejected; serial 2 keeps being served.
    write(3, "broken 60 A 999.0.0.1\n");
    signal_pid(server.pid(), "HUP");
    assert!(
        eventually(Duration::from_secs(5), || server
            .log()
            .contains("zone reload rejected")),
        "{}",
        server.log()
    );
    assert!(server.log().contains("kz.zone:4:"), "{}", server.log());
    assert_eq!(serial(), 2);
}

#[test]
fn json_logs_and_the_query_log_are_opt_in() {
    let server = Setup::new()
        .tables("[log]\nformat = \"json\"\nqueries = true\n")
        .start();
    udp_exchange(server.addr, &query_message("nic.kz.", RecordType::A, None));
    assert!(
        server.logged("\"target\":\"kzdns::query\""),
        "{}",
        server.log()
    );
    let line = server
        .log()
        .lines()
        .find(|l| l.contains("kzdns::query"))
        .unwrap()
        .to_owned();
    let event: serde_json::Value = serde_json::from_str(&line).expect("one JSON object a line");
    assert_eq!(event["name"], "nic.kz.");
    assert_eq!(event["qtype"], "A");
    assert_eq!(event["rcode"], "NOERROR");
    assert_eq!(event["level"], "INFO");
    // Without `log.queries`, no query lines (policy actions are still logged).
    let quiet = Setup::new().start();
    udp_exchange(quiet.addr, &query_message("nic.kz.", RecordType::A, None));
    assert!(quiet.logged("listening on"));
    assert!(!quiet.log().contains("kzdns::query"));
}
