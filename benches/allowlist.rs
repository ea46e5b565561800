//! Benchmarks of the KZ allowlist: `is_kz` lookups over the shipped data and over a synthetic
//! global routing table of 1,000,000 prefixes, and how long building each takes.
//!
//! Each lookup iteration judges one address from a fixed, shuffled mix of KZ and foreign, IPv4
//! and IPv6 addresses, so the reported time is per lookup.

use std::fmt::Write as _;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ipnet::IpNet;
use kzdns::policy::allowlist::{Allowlist, AllowlistBuilder, SourceKind};

const REAL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/policy/allowlist");
const SYNTHETIC_ROUTES: usize = 1_000_000;

/// Deterministic xorshift64 generator: the same inputs on every run, no extra crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn v6(&mut self) -> u128 {
        u128::from(self.next()) << 64 | u128::from(self.next())
    }
}

/// A random address inside `net`.
fn inside(rng: &mut XorShift, net: &IpNet) -> IpAddr {
    match net {
        IpNet::V4(n) => {
            let host = (rng.next() as u32) & u32::from(n.hostmask());
            IpAddr::V4(Ipv4Addr::from(u32::from(n.network()) | host))
        }
        IpNet::V6(n) => IpAddr::V6(Ipv6Addr::from(
            u128::from(n.network()) | rng.v6() & u128::from(n.hostmask()),
        )),
    }
}

/// 4096 addresses: a quarter each in KZ-looking IPv4 blocks, anywhere in IPv4, in KZ-looking IPv6
/// blocks, anywhere in 2000::/3.
fn address_mix(rng: &mut XorShift, v4_blocks: &[IpNet], v6_blocks: &[IpNet]) -> Vec<IpAddr> {
    let mut pick = |blocks: &[IpNet]| {
        let i = rng.below(blocks.len() as u64) as usize;
        inside(rng, &blocks[i])
    };
    let mut addrs: Vec<IpAddr> = (0..1024).map(|_| pick(v4_blocks)).collect();
    addrs.extend((0..1024).map(|_| pick(v6_blocks)));
    addrs.extend((0..1024).map(|_| IpAddr::V4(Ipv4Addr::from(rng.next() as u32))));
    addrs.extend((0..1024).map(|_| IpAddr::V6(Ipv6Addr::from(rng.v6() >> 3 | 1 << 125))));
    // Shuffle (Fisher-Yates) so consecutive lookups do not repeat one pattern.
    for i in (1..addrs.len()).rev() {
        addrs.swap(i, rng.below(i as u64 + 1) as usize);
    }
    addrs
}

/// The prefixes of a shipped `.cidr` file.
fn read_cidrs(name: &str) -> Vec<IpNet> {
    let text = std::fs::read_to_string(Path::new(REAL_DIR).join(name)).expect("shipped data");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.trim().parse().expect("valid prefix"))
        .collect()
}

fn bench_lookups(c: &mut Criterion, group: &str, allowlist: &Allowlist, addrs: &[IpAddr]) {
    let kz = addrs.iter().filter(|a| allowlist.is_kz(**a)).count();
    eprintln!(
        "{group}: {kz} of {} benchmark addresses are in KZ",
        addrs.len()
    );
    let mut g = c.benchmark_group(group);
    let mask = addrs.len() - 1;
    let mut i = 0;
    g.bench_function("is_kz", |b| {
        b.iter(|| {
            i = (i + 1) & mask;
            allowlist.is_kz(black_box(addrs[i]))
        })
    });
    g.bench_function("explain", |b| {
        b.iter(|| {
            i = (i + 1) & mask;
            allowlist.explain(black_box(addrs[i]))
        })
    });
    g.finish();
}

fn real_data(c: &mut Criterion) {
    let dir = Path::new(REAL_DIR);
    let allowlist = Allowlist::load_dir(dir).expect("shipped allowlist loads");
    let mut rng = XorShift(0x0123_4567_89ab_cdef);
    let addrs = address_mix(
        &mut rng,
        &read_cidrs("registered-kz-ipv4.cidr"),
        &read_cidrs("registered-kz-ipv6.cidr"),
    );
    bench_lookups(c, "real", &allowlist, &addrs);

    let mut files: Vec<(PathBuf, SourceKind, String)> = Vec::new();
    for entry in std::fs::read_dir(dir).expect("shipped folder") {
        let path = entry.expect("folder entry").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(kind) = SourceKind::from_file_name(&name) {
            let text = std::fs::read_to_string(&path).expect("shipped file");
            files.push((path, kind, text));
        }
    }
    let mut g = c.benchmark_group("real");
    g.bench_function("load_dir", |b| {
        b.iter(|| Allowlist::load_dir(black_box(dir)).expect("loads"))
    });
    g.bench_function("build_from_memory", |b| {
        b.iter(|| {
            let mut builder = Allowlist::builder();
            for (path, kind, text) in &files {
                builder.add_text(*kind, path, text).expect("parses");
            }
            builder.build()
        })
    });
    g.finish();
}

/// A random IPv4 prefix shaped like the global table: mostly /24s, the rest /8 ../23.
fn random_v4_prefix(rng: &mut XorShift) -> IpNet {
    let len = if rng.below(100) < 55 {
        24
    } else {
        8 + rng.below(16) as u8
    };
    let addr =
        Ipv4Addr::from((1 + rng.below(223) as u32) << 24 | (rng.next() as u32 & 0x00ff_ffff));
    IpNet::new(IpAddr::V4(addr), len)
        .expect("length <= 24")
        .trunc()
}

/// A random IPv6 prefix of `len` inside `within` (or inside 2000::/3).
fn random_v6_prefix(rng: &mut XorShift, within: Option<&IpNet>, len: u8) -> IpNet {
    let addr = match within {
        Some(block) => inside(rng, block),
        None => IpAddr::V6(Ipv6Addr::from(rng.v6() >> 3 | 1 << 125)),
    };
    IpNet::new(addr, len).expect("length <= 64").trunc()
}

/// A synthetic world, as the text of the files the server would load, built to stress the
/// lookup rather than to look like Kazakhstan: 1 M routes (88 % IPv4, 10 % multi-origin) whose
/// origins are KZ ASNs half of the time, and 30 000 registered blocks (IPv4 /12 ../24 covering
/// about 60 % of the space; IPv6 /29 ../32 holding 70 % of the IPv6 routes). The rule then cuts
/// the address space into hundreds of thousands of alternating ranges.
fn synthetic_files() -> Vec<(SourceKind, &'static str, String)> {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut registered_v6 = Vec::new();
    let mut registered = String::new();
    for i in 0..30_000 {
        let net = if i % 6 == 0 {
            let len = 29 + rng.below(4) as u8;
            let net = random_v6_prefix(&mut rng, None, len);
            registered_v6.push(net);
            net
        } else {
            let addr = IpAddr::V4(Ipv4Addr::from(rng.next() as u32));
            IpNet::new(addr, 12 + rng.below(13) as u8)
                .expect("length <= 24")
                .trunc()
        };
        let _ = writeln!(registered, "{net}");
    }
    let mut routes = String::with_capacity(SYNTHETIC_ROUTES * 24);
    for _ in 0..SYNTHETIC_ROUTES {
        let net = if rng.below(100) < 12 {
            let len = if rng.below(10) < 7 {
                48
            } else {
                32 + rng.below(33) as u8
            };
            let within = (rng.below(10) < 7).then(|| &registered_v6[rng.below(5000) as usize]);
            random_v6_prefix(&mut rng, within, len)
        } else {
            random_v4_prefix(&mut rng)
        };
        let _ = write!(
            routes,
            "{}\t{}\t{}",
            net.network(),
            net.prefix_len(),
            1 + rng.below(400_000)
        );
        if rng.below(10) == 0 {
            let _ = write!(routes, "_{}", 1 + rng.below(400_000));
        }
        routes.push('\n');
    }
    let asns: String = (2..=400_000)
        .step_by(2)
        .map(|a| format!("AS{a}\n"))
        .collect();
    vec![
        (SourceKind::Routing, "synthetic.pfx2as", routes),
        (
            SourceKind::Registered,
            "registered-synthetic.cidr",
            registered,
        ),
        (SourceKind::Asn, "synthetic.asn", asns),
    ]
}

fn builder_for(files: &[(SourceKind, &str, String)]) -> AllowlistBuilder {
    let mut builder = Allowlist::builder();
    for (kind, label, text) in files {
        builder
            .add_text(*kind, label, text)
            .expect("synthetic data parses");
    }
    builder
}

fn synthetic(c: &mut Criterion) {
    let files = synthetic_files();
    let allowlist = builder_for(&files).build();
    eprintln!("synthetic: {:?}", allowlist.stats());
    let cidrs = |v6: bool| -> Vec<IpNet> {
        files[1]
            .2
            .lines()
            .filter_map(|l| l.parse::<IpNet>().ok())
            .filter(|n| matches!(n, IpNet::V6(_)) == v6)
            .collect()
    };
    let mut rng = XorShift(0xdead_beef_cafe_f00d);
    let addrs = address_mix(&mut rng, &cidrs(false), &cidrs(true));
    bench_lookups(c, "synthetic_1m", &allowlist, &addrs);

    let mut g = c.benchmark_group("synthetic_1m");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("parse_and_build", |b| {
        b.iter(|| builder_for(black_box(&files)).build())
    });
    g.bench_function("build_only", |b| {
        b.iter_batched(
            || builder_for(&files),
            AllowlistBuilder::build,
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, real_data, synthetic);
criterion_main!(benches);
