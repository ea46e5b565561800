//! The operator commands on the real binary: `kzdns suspend`, `unsuspend`, `suspensions`,
//! `rpz export` and `rpz import`, each on a temporary policy folder; the export checked by BIND's
//! `named-checkzone`, and a running server reloading what the commands wrote.

use std::{
    collections::BTreeSet,
    fs,
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
    process::{Command, Output},
    time::Duration,
};

use crate::support::*;

/// The shipped sample list: six comment lines, the header, one suspension on line 8.
fn sample() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/suspensions.csv"))
        .unwrap()
}

/// A config (`kzdns.toml`, all defaults) beside a `policy/` folder.
struct Ops {
    dir: tempfile::TempDir,
}

/// One finished command.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Ops {
    /// A policy folder holding this suspensions.csv (none when `None`).
    fn new(csv: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("kzdns.toml"), "").unwrap();
        fs::create_dir(dir.path().join("policy")).unwrap();
        if let Some(csv) = csv {
            fs::write(dir.path().join("policy/suspensions.csv"), csv).unwrap();
        }
        Self { dir }
    }

    fn csv(&self) -> PathBuf {
        self.dir.path().join("policy/suspensions.csv")
    }

    fn read(&self) -> String {
        fs::read_to_string(self.csv()).unwrap()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(KZDNS);
        command
            .args(args)
            .arg("--config")
            .arg(self.dir.path().join("kzdns.toml"))
            .current_dir(self.dir.path())
            .env("RUST_LOG", "warn");
        command
    }

    /// `kzdns ARGS --config <this>`.
    fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().unwrap())
    }

    /// The listed domains, as the server's loader reads them.
    fn domains(&self) -> BTreeSet<String> {
        kzdns::policy::suspensions::load(&self.csv())
            .unwrap()
            .values()
            .map(|s| s.domain.to_ascii())
            .collect()
    }
}

fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

/// Bytes, mtime and inode: "untouched" means all three are unchanged.
fn fingerprint(path: &Path) -> (Vec<u8>, i64, i64, u64) {
    let meta = fs::metadata(path).unwrap();
    (
        fs::read(path).unwrap(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ino(),
    )
}

#[test]
fn suspend_appends_one_row_and_keeps_every_other_byte() {
    let ops = Ops::new(Some(&sample()));
    let run = ops.run(&[
        "suspend",
        "Пример.ҚАЗ.",
        "--reason",
        "court-order",
        "--reference",
        "Case 2-1234/2026",
        "--note",
        "ordered by the court, see \"decision\"",
        "--since",
        "2026-12-01",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    // The new row goes at the end; nothing else changes.
    assert_eq!(
        ops.read(),
        format!(
            "{}xn--e1afmkfd.xn--80ao21a,court-order,Case 2-1234/2026,2026-12-01,\
             \"ordered by the court, see \"\"decision\"\"\"\n",
            sample()
        )
    );
    assert!(
        run.stdout
            .contains("suspended xn--e1afmkfd.xn--80ao21a (пример.қаз): court-order"),
        "{run:?}"
    );
    assert!(run.stdout.contains("suspensions.csv:9]"), "{run:?}");
    // Without --since the date is today's (UTC).
    let run = ops.run(&["suspend", "bad.kz", "--reason", "malware"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        ops.read()
            .ends_with(&format!("\nbad.kz,malware,,{},\n", today())),
        "{}",
        ops.read()
    );
}

#[test]
fn suspend_creates_a_missing_file_with_header_and_comment() {
    let ops = Ops::new(None);
    let run = ops.run(&[
        "suspend",
        "new.kz",
        "--reason",
        "phishing",
        "--since",
        "2026-01-02",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let text = ops.read();
    assert!(text.starts_with("# "), "{text}");
    assert!(
        text.ends_with("domain,reason,reference,since,note\nnew.kz,phishing,,2026-01-02,\n"),
        "{text}"
    );
    assert_eq!(ops.domains(), BTreeSet::from(["new.kz.".to_owned()]));
    // The lock file sits beside it.
    assert!(ops.dir.path().join("policy/.suspensions.lock").exists());
}

#[test]
fn an_unknown_reason_is_refused_and_the_file_untouched() {
    let ops = Ops::new(Some(&sample()));
    let before = fingerprint(&ops.csv());
    // Old enough that a write within the same second could not hide behind the mtime.
    std::thread::sleep(Duration::from_millis(20));
    let run = ops.run(&["suspend", "spam.kz", "--reason", "spam"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("unknown reason \"spam\""), "{run:?}");
    for code in [
        "false-registrant-data",
        "malware",
        "court-order",
        "unresolved-incident",
        "no-certificate",
        "hosting-outside-kz",
        "phishing",
    ] {
        assert!(run.stderr.contains(code), "{run:?}");
    }
    assert_eq!(fingerprint(&ops.csv()), before);
    // The same for a domain outside .kz / .қаз and a bad date.
    for args in [
        &["suspend", "example.com", "--reason", "malware"][..],
        &[
            "suspend",
            "a.kz",
            "--reason",
            "malware",
            "--since",
            "yesterday",
        ][..],
    ] {
        let run = ops.run(args);
        assert_eq!(run.code, 1, "{run:?}");
        assert_eq!(fingerprint(&ops.csv()), before);
    }
}

#[test]
fn a_duplicate_in_any_spelling_changes_nothing() {
    let ops = Ops::new(Some(&sample()));
    let before = fingerprint(&ops.csv());
    for spelling in ["phish-bank.kz", "PHISH-BANK.KZ.", "Phish-Bank.kz"] {
        // The same ground: the state asked for holds, exit 0.
        let run = ops.run(&["suspend", spelling, "--reason", "phishing"]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            run.stdout
                .contains("phish-bank.kz is already suspended: phishing")
                && run.stdout.contains("suspensions.csv:8]; nothing changed"),
            "{run:?}"
        );
        // Another ground: refused, exit 1, naming the line and the ground in force.
        let run = ops.run(&["suspend", spelling, "--reason", "malware"]);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(
            run.stderr
                .contains("suspensions.csv:8 for phishing, not malware"),
            "{run:?}"
        );
    }
    assert_eq!(fingerprint(&ops.csv()), before);
    // Unicode and punycode spellings of one IDN are one domain.
    assert_eq!(
        ops.run(&["suspend", "пример.қаз", "--reason", "malware"])
            .code,
        0
    );
    let run = ops.run(&["suspend", "XN--E1AFMKFD.xn--80ao21a", "--reason", "malware"]);
    assert!(run.stdout.contains("already suspended"), "{run:?}");
}

#[test]
fn a_name_below_a_suspended_domain_is_added_with_a_note() {
    let ops = Ops::new(Some(&sample()));
    let run = ops.run(&["suspend", "login.phish-bank.kz", "--reason", "malware"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(
            "note: phish-bank.kz is already suspended (line 8, phishing); the new, more specific \
             entry wins for login.phish-bank.kz"
        ),
        "{run:?}"
    );
    assert_eq!(ops.domains().len(), 2);
}

#[test]
fn unsuspend_removes_exactly_the_row() {
    let ops = Ops::new(Some(&sample()));
    assert_eq!(
        ops.run(&[
            "suspend",
            "a.kz",
            "--reason",
            "malware",
            "--since",
            "2026-01-01"
        ])
        .code,
        0
    );
    assert_eq!(
        ops.run(&[
            "suspend",
            "b.kz",
            "--reason",
            "malware",
            "--since",
            "2026-01-01"
        ])
        .code,
        0
    );
    let run = ops.run(&["unsuspend", "A.KZ."]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("unsuspended a.kz"), "{run:?}");
    assert_eq!(
        ops.read(),
        format!("{}b.kz,malware,,2026-01-01,\n", sample())
    );
    // The sample's own row (a quoted note) goes too.
    assert_eq!(ops.run(&["unsuspend", "phish-bank.kz"]).code, 0);
    let sample = sample();
    let (head, _) = sample.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(ops.read(), format!("{head}\nb.kz,malware,,2026-01-01,\n"));
    // Not listed: exit 1, file untouched.
    let before = fingerprint(&ops.csv());
    let run = ops.run(&["unsuspend", "a.kz"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("a.kz is not suspended"), "{run:?}");
    let run = ops.run(&["unsuspend", "www.b.kz"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("covered by the suspension of b.kz on line 8"),
        "{run:?}"
    );
    assert_eq!(fingerprint(&ops.csv()), before);
}

#[test]
fn suspensions_lists_both_spellings_and_filters_by_reason() {
    let ops = Ops::new(Some(&sample()));
    ops.run(&[
        "suspend",
        "пример.қаз",
        "--reason",
        "court-order",
        "--reference",
        "Case 7",
    ]);
    let run = ops.run(&["suspensions"]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("DOMAIN"), "{run:?}");
    assert!(lines[1].starts_with("phish-bank.kz "), "{run:?}");
    let columns: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        columns[..6],
        [
            "xn--e1afmkfd.xn--80ao21a",
            "пример.қаз",
            "court-order",
            "Case",
            "7",
            &today()
        ],
        "{run:?}"
    );
    assert!(lines[3].starts_with("2 suspensions in "), "{run:?}");
    let run = ops.run(&["suspensions", "--reason", "court-order"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 3, "{run:?}");
    assert!(run.stdout.contains("пример.қаз"), "{run:?}");
    assert!(!run.stdout.contains("phish-bank"), "{run:?}");
    assert!(
        run.stdout.contains("1 suspension for court-order (of 2)"),
        "{run:?}"
    );
    let run = ops.run(&["suspensions", "--reason", "malware"]);
    assert_eq!((run.code, run.stdout.lines().count()), (0, 1), "{run:?}");
    assert_eq!(ops.run(&["suspensions", "--reason", "nope"]).code, 1);
    // No file at all: an empty list.
    let empty = Ops::new(None);
    let run = empty.run(&["suspensions"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("0 suspensions"), "{run:?}");
}

#[test]
fn an_invalid_file_is_not_edited_and_its_line_is_named() {
    let bad = "domain,reason,reference,since,note\nok.kz,malware,,2026-01-01,\nbad.kz,spam,,2026-01-01,\n";
    let ops = Ops::new(Some(bad));
    let before = fingerprint(&ops.csv());
    for args in [
        &["suspend", "c.kz", "--reason", "malware"][..],
        &["unsuspend", "ok.kz"][..],
        &["suspensions"][..],
    ] {
        let run = ops.run(args);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(
            run.stderr
                .contains("suspensions.csv:3: reason: unknown reason \"spam\""),
            "{run:?}"
        );
    }
    assert_eq!(fingerprint(&ops.csv()), before);
}

#[test]
fn concurrent_suspends_all_land() {
    let ops = Ops::new(Some(&sample()));
    let children: Vec<_> = (0..8)
        .map(|i| {
            ops.command(&[
                "suspend",
                &format!("parallel-{i}.kz"),
                "--reason",
                "malware",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for child in children {
        let run = Run::from(child.wait_with_output().unwrap());
        assert_eq!(run.code, 0, "{run:?}");
    }
    let domains = ops.domains();
    assert_eq!(domains.len(), 9, "{}", ops.read());
    for i in 0..8 {
        assert!(
            domains.contains(&format!("parallel-{i}.kz.")),
            "{}",
            ops.read()
        );
    }
    assert!(ops.read().starts_with(&sample()));
    // No temporary file is left behind.
    let left: Vec<String> = fs::read_dir(ops.dir.path().join("policy"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Whether some log line says the policy was reloaded with this many suspensions.
fn reloaded_with(server: &TestServer, count: usize) -> bool {
    let needle = format!("suspensions={count}");
    server
        .log()
        .lines()
        .any(|l| l.contains("policy reloaded") && l.contains(&needle))
}

#[test]
fn a_running_server_answers_the_edited_list() {
    let server = Setup::new().start();
    let config = server.path("kzdns.toml");
    let a_of = |qname: &str| {
        let reply = udp_exchange(
            server.addr,
            &query_message(qname, hickory_proto::rr::RecordType::A, None),
        );
        rdata_of(&reply.answers, hickory_proto::rr::RecordType::A)
    };
    let kzdns = |args: &[&str]| {
        Run::from(
            Command::new(KZDNS)
                .args(args)
                .arg("--config")
                .arg(&config)
                .output()
                .unwrap(),
        )
    };
    assert_eq!(a_of("nic.kz."), ["80.241.1.10"]);
    let run = kzdns(&["suspend", "nic.kz", "--reason", "malware"]);
    assert_eq!(run.code, 0, "{run:?}");
    // The server watches the policy folder; SIGHUP reloads it too.
    signal_pid(server.pid(), "HUP");
    let wait = Duration::from_secs(5);
    assert!(
        eventually(wait, || reloaded_with(&server, 1)),
        "{}",
        server.log()
    );
    assert!(
        eventually(wait, || a_of("www.nic.kz.") == ["127.0.0.1"]
            && a_of("nic.kz.") == ["127.0.0.1"]),
        "{}",
        server.log()
    );
    let run = kzdns(&["unsuspend", "nic.kz"]);
    assert_eq!(run.code, 0, "{run:?}");
    signal_pid(server.pid(), "HUP");
    assert!(
        eventually(wait, || reloaded_with(&server, 0)),
        "{}",
        server.log()
    );
    assert!(
        eventually(wait, || a_of("nic.kz.") == ["80.241.1.10"]),
        "{}",
        server.log()
    );
}

/// `named-checkzone` from BIND (Debian bind9-utils; .ci/run installs it).
fn named_checkzone(args: &[&str]) -> Run {
    Run::from(
        Command::new("named-checkzone")
            .args(args)
            .output()
            .expect("named-checkzone is installed (bind9-utils)"),
    )
}

#[test]
fn the_exported_rpz_zone_passes_named_checkzone() {
    let ops = Ops::new(Some(&sample()));
    ops.run(&["suspend", "пример.қаз", "--reason", "court-order"]);
    ops.run(&["suspend", "www.bad.kz", "--reason", "malware"]);
    let zone = ops.dir.path().join("rpz.kz.zone");
    let run = ops.run(&[
        "rpz",
        "export",
        "--serial",
        "2026120301",
        "--output",
        zone.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let check = named_checkzone(&["rpz.kz", zone.to_str().unwrap()]);
    assert_eq!(
        check.code,
        0,
        "{check:?}\n{}",
        fs::read_to_string(&zone).unwrap()
    );
    assert!(
        check.stdout.contains("loaded serial 2026120301"),
        "{check:?}"
    );
    // BIND's own dump of the zone: SOA, NS and two CNAMEs per suspension.
    let dump = named_checkzone(&["-D", "-o", "-", "rpz.kz", zone.to_str().unwrap()]);
    let records: Vec<&str> = dump
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(';'))
        .collect();
    assert_eq!(records.len(), 2 + 2 * 3, "{dump:?}");
    for owner in [
        "phish-bank.kz.rpz.kz.",
        "*.phish-bank.kz.rpz.kz.",
        "www.bad.kz.rpz.kz.",
        "*.xn--e1afmkfd.xn--80ao21a.rpz.kz.",
    ] {
        assert!(
            records
                .iter()
                .any(|r| r.split_whitespace().collect::<Vec<_>>()
                    == [owner, "60", "IN", "CNAME", "notice.nic.kz."]),
            "{owner}: {dump:?}"
        );
    }
    // The other actions load too; the default serial is the list's mtime.
    for (flags, rtype) in [
        (&["--nxdomain"][..], "CNAME"),
        (&["--notice-addresses"][..], "AAAA"),
    ] {
        let mut args = vec!["rpz", "export"];
        args.extend(flags);
        let run = ops.run(&args);
        assert_eq!(run.code, 0, "{run:?}");
        fs::write(&zone, &run.stdout).unwrap();
        let check = named_checkzone(&["rpz.kz", zone.to_str().unwrap()]);
        assert_eq!(check.code, 0, "{check:?}\n{}", run.stdout);
        let mtime = fs::metadata(ops.csv()).unwrap().mtime();
        assert!(
            check.stdout.contains(&format!("loaded serial {mtime}")),
            "{check:?}"
        );
        assert!(
            run.stdout.contains(&format!(" IN {rtype} ")),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn export_then_import_into_an_empty_policy_gives_the_same_domains() {
    let source = Ops::new(Some(&sample()));
    for domain in ["пример.қаз", "bad.kz", "www.bad.kz", "deep.a.b.kz"] {
        assert_eq!(
            source.run(&["suspend", domain, "--reason", "malware"]).code,
            0
        );
    }
    let zone = source.dir.path().join("out.rpz");
    let run = source.run(&["rpz", "export", "-o", zone.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let target = Ops::new(None);
    let run = target.run(&[
        "rpz",
        "import",
        zone.to_str().unwrap(),
        "--reason",
        "court-order",
        "--reference",
        "Order 1",
        "--since",
        "2026-12-01",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("added 5, skipped 0"), "{run:?}");
    assert_eq!(target.domains(), source.domains());
    assert!(
        target.read().contains(
            "\nbad.kz,court-order,Order 1,2026-12-01,imported from RPZ zone rpz.kz. (out.rpz)\n"
        ),
        "{}",
        target.read()
    );
    // Importing again adds nothing: every name is already suspended.
    let before = fingerprint(&target.csv());
    let run = target.run(&[
        "rpz",
        "import",
        zone.to_str().unwrap(),
        "--reason",
        "malware",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("added 0, skipped 5"), "{run:?}");
    assert!(
        run.stdout.contains("skipped 5, already suspended"),
        "{run:?}"
    );
    assert_eq!(fingerprint(&target.csv()), before);
}

#[test]
fn rpz_import_reports_what_it_skipped() {
    let ops = Ops::new(Some(&sample()));
    let zone = ops.dir.path().join("feed.rpz");
    fs::write(
        &zone,
        "$TTL 300\n$ORIGIN feed.example.\n@ SOA localhost. root.localhost. 1 3600 600 86400 60\n\
         @ NS localhost.\nnew.kz CNAME .\n*.new.kz CNAME .\nphish-bank.kz CNAME .\n\
         ok.new.kz CNAME rpz-passthru.\nexample.com CNAME .\n24.0.2.0.192.rpz-ip CNAME .\n",
    )
    .unwrap();
    let run = ops.run(&[
        "rpz",
        "import",
        zone.to_str().unwrap(),
        "--reason",
        "phishing",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    for line in [
        "added 1 to ",
        "skipped 1, already suspended: phish-bank.kz (line 8, phishing)",
        "skipped 1, not a domain under .kz / .қаз: example.com",
        "skipped 1, rpz-passthru action (an exception, not a block): ok.new.kz.feed.example.",
        "skipped 1, rpz-ip trigger, not a domain name: 24.0.2.0.192.rpz-ip.feed.example.",
        "added 1, skipped 4",
    ] {
        assert!(run.stdout.contains(line), "{line}: {run:?}");
    }
    assert_eq!(ops.domains().len(), 2);
    // An unknown reason is refused before anything is read or written.
    let before = fingerprint(&ops.csv());
    let run = ops.run(&["rpz", "import", zone.to_str().unwrap(), "--reason", "spam"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(fingerprint(&ops.csv()), before);
}

#[test]
fn every_new_subcommand_has_help() {
    let ops = Ops::new(None);
    for args in [
        &["suspend", "--help"][..],
        &["unsuspend", "--help"][..],
        &["suspensions", "--help"][..],
        &["rpz", "--help"][..],
        &["rpz", "export", "--help"][..],
        &["rpz", "import", "--help"][..],
    ] {
        let run = Run::from(
            Command::new(KZDNS)
                .args(args)
                .current_dir(ops.dir.path())
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert!(run.stdout.contains("Usage: kzdns"), "{args:?}: {run:?}");
    }
}
