//! Benchmarks of the query path without the network: the policy decision for a typical answer,
//! the whole per-query pipeline (`respond`: zone lookup, suspension check, decision, enforcement)
//! on a 100,000-name zone, and suspension lists of 1,000,000 entries (build time, memory, lookup
//! cost unchanged from a short list).

use std::{
    fmt::Write as _,
    hint::black_box,
    net::{IpAddr, Ipv4Addr},
    path::Path,
    time::{Duration, Instant},
};

use criterion::{Criterion, criterion_group, criterion_main};
use hickory_proto::rr::{Name, RecordType};
use kzdns::{
    config::PolicyMode,
    enforce::NoticeTargets,
    names::{WireName, normalize},
    policy::{Allowlist, Exemptions, Policy, Subject, suspensions},
    respond::respond,
    zones::{ZoneSet, load_zone_file},
};

const REAL_ALLOWLIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/policy/allowlist");
const ZONE_NAMES: usize = 100_000;
const BIG_LIST: usize = 1_000_000;
const TODAY: time::Date = time::macros::date!(2026 - 12 - 03);
const NOTICE: NoticeTargets = NoticeTargets {
    ipv4: Ipv4Addr::LOCALHOST,
    ipv6: std::net::Ipv6Addr::LOCALHOST,
};

fn policy_with(list: &str) -> Policy {
    let allowlist = Allowlist::load_dir(Path::new(REAL_ALLOWLIST)).unwrap();
    let mut policy = Policy::from_parts(allowlist, Exemptions::default(), PolicyMode::Notice);
    policy.suspensions = suspensions::parse(Path::new("bench.csv"), list).unwrap();
    policy
}

/// A zone of `n` hosts, three in four on KZ addresses (80.241.0.0/20) and one in four abroad.
fn bench_zone(dir: &Path, n: usize) -> ZoneSet {
    let mut text = String::from(
        "$ORIGIN bench.kz.\n$TTL 3600\n@ SOA ns1.nic.kz. h.nic.kz. 1 7200 900 1209600 300\n@ NS ns1.nic.kz.\n",
    );
    for i in 0..n {
        let ip = if i % 4 == 3 {
            format!("203.0.{}.{}", (i >> 8) & 0xff, i & 0xff)
        } else {
            format!("80.241.{}.{}", (i >> 8) & 0x0f, i & 0xff)
        };
        let _ = writeln!(text, "h{i} A {ip}");
        if i % 10 == 0 {
            let _ = writeln!(text, "www.h{i} CNAME h{i}.bench.kz.");
        }
    }
    let path = dir.join("bench.kz.zone");
    std::fs::write(&path, text).unwrap();
    let mut set = ZoneSet::default();
    set.insert(load_zone_file(&path).unwrap());
    set
}

/// `count` suspension lines of distinct domains under .kz.
fn suspension_csv(count: usize) -> String {
    let mut text = String::with_capacity(count * 48);
    text.push_str("domain,reason,reference,since,note\n");
    for i in 0..count {
        let _ = writeln!(text, "s{i}.kz,phishing,CERT-{i},2026-11-01,");
    }
    text
}

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn decision(c: &mut Criterion) {
    let policy = policy_with("domain,reason,reference,since,note\n");
    let name = WireName::new(&normalize("www.shop.kz").unwrap()).unwrap();
    let subject = Subject {
        qname: &name,
        qtype: RecordType::A,
        infra_host: false,
        chain_leaves: false,
    };
    let kz: [IpAddr; 2] = [
        "80.241.1.10".parse().unwrap(),
        "89.35.124.10".parse().unwrap(),
    ];
    let foreign: [IpAddr; 2] = [
        "80.241.1.10".parse().unwrap(),
        "203.0.113.5".parse().unwrap(),
    ];
    let mut group = c.benchmark_group("decide");
    group.bench_function("two KZ addresses (compliant)", |b| {
        b.iter(|| black_box(policy.decide(black_box(&subject), kz, TODAY)))
    });
    group.bench_function("one KZ + one foreign (violation)", |b| {
        b.iter(|| black_box(policy.decide(black_box(&subject), foreign, TODAY)))
    });
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let zones = bench_zone(dir.path(), ZONE_NAMES);
    let policy = policy_with(&suspension_csv(10));
    let names: Vec<(Name, &str)> = [
        ("h12345.bench.kz.", "positive, KZ"),
        ("www.h12340.bench.kz.", "CNAME to KZ"),
        ("h12347.bench.kz.", "violation, rewritten"),
        ("nothere.bench.kz.", "NXDOMAIN"),
    ]
    .into_iter()
    .map(|(n, what)| (Name::from_ascii(n).unwrap(), what))
    .collect();
    let mut group = c.benchmark_group("respond (100k-name zone)");
    for (name, what) in &names {
        group.bench_function(*what, |b| {
            b.iter(|| {
                let outcome = respond(
                    &zones,
                    &policy,
                    black_box(name),
                    RecordType::A,
                    NOTICE,
                    TODAY,
                );
                black_box(outcome.answer.answers.len())
            })
        });
    }
    group.finish();
}

fn big_suspension_list(c: &mut Criterion) {
    let text = suspension_csv(BIG_LIST);
    let before = resident_kib();
    let started = Instant::now();
    let big = suspensions::parse(Path::new("big.csv"), &text).unwrap();
    let took = started.elapsed();
    let grown_mib = resident_kib().saturating_sub(before) / 1024;
    eprintln!(
        "suspensions: parse + validate + build of {BIG_LIST} entries took {took:.2?}, resident memory grew {grown_mib} MiB"
    );
    assert_eq!(big.len(), BIG_LIST);

    let small = suspensions::parse(Path::new("small.csv"), &suspension_csv(10)).unwrap();
    let hit = WireName::new(&normalize("www.s777777.kz").unwrap()).unwrap();
    let miss = WireName::new(&normalize("www.not-listed.kz").unwrap()).unwrap();
    let mut group = c.benchmark_group("suspension lookup");
    group.bench_function("1M list, hit", |b| {
        b.iter(|| black_box(big.covering(black_box(&hit)).is_some()))
    });
    group.bench_function("1M list, miss", |b| {
        b.iter(|| black_box(big.covering(black_box(&miss)).is_some()))
    });
    group.bench_function("10 list, miss", |b| {
        b.iter(|| black_box(small.covering(black_box(&miss)).is_some()))
    });
    group.finish();

    let mut group = c.benchmark_group("suspension build");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("parse + validate + build, 1M entries", |b| {
        b.iter(|| {
            black_box(
                suspensions::parse(Path::new("big.csv"), &text)
                    .unwrap()
                    .len(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, decision, pipeline, big_suspension_list);
criterion_main!(benches);
