//! `kzdns check NAME`: the explanation an operator reads.

use std::process::Command;

use crate::support::*;

/// Runs `kzdns check` on the policy fixture with the real allowlist; its stdout.
fn check(args: &[&str], suspensions: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy");
    std::fs::create_dir(&policy).unwrap();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/allowlist");
    std::os::unix::fs::symlink(shipped, policy.join("allowlist")).unwrap();
    std::fs::write(
        policy.join("exemptions.csv"),
        "domain,provider,document,expires\nlapsed.host.kz,Qrator,contract 17,2020-01-31\n",
    )
    .unwrap();
    std::fs::write(policy.join("suspensions.csv"), suspensions).unwrap();
    let config = dir.path().join("kzdns.toml");
    std::fs::write(
        &config,
        format!(
            "[zones]\ndir = {:?}\n[policy]\nmode = \"filter\"\n",
            data("policy-zones").display().to_string()
        ),
    )
    .unwrap();
    let out = Command::new(KZDNS)
        .arg("check")
        .args(args)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const NO_SUSPENSIONS: &str = "domain,reason,reference,since,note\n";

#[test]
fn check_explains_a_compliant_chain_with_file_and_line_evidence() {
    let out = check(&["www.host.kz"], NO_SUSPENSIONS);
    assert!(
        out.contains("zone: host.kz. (serial 2026120301), policy mode: filter"),
        "{out}"
    );
    assert!(out.contains("www.host.kz. 3600 CNAME host.kz."), "{out}");
    assert!(out.contains("80.241.1.10: in Kazakhstan"), "{out}");
    assert!(out.contains("registered-kz-ipv4.cidr:"), "{out}");
    assert!(
        out.contains("routing-kz.pfx2as:")
            && out.contains("by AS21282 KZ (")
            && out.contains("kz.asn:"),
        "{out}"
    );
    assert!(out.contains("verdict: compliant"), "{out}");
    assert!(out.contains("\nAAAA:\n"), "both types by default: {out}");
}

#[test]
fn check_explains_violations_exemptions_and_actions() {
    let out = check(&["mixed.host.kz", "--type", "A"], NO_SUSPENSIONS);
    assert!(out.contains("203.0.113.20: NOT in Kazakhstan"), "{out}");
    assert!(
        out.contains("verdict: VIOLATION of Rules 38/NK p.16(6) hosting-outside-kz: 203.0.113.20"),
        "{out}"
    );
    assert!(out.contains("action: filter"), "{out}");
    assert!(out.contains("mixed.host.kz. 3600 A 80.241.1.20"), "{out}");
    assert!(out.contains("EDE 16: Rules 38/NK p.16(6)"), "{out}");

    let amazon = check(&["amazon.host.kz", "-t", "a"], NO_SUSPENSIONS);
    assert!(
        amazon.contains("announced by an ASN not registered to KZ"),
        "{amazon}"
    );
    assert!(amazon.contains("by AS16509 not KZ"), "{amazon}");

    let lapsed = check(&["lapsed.host.kz", "-t", "A"], NO_SUSPENSIONS);
    assert!(lapsed.contains("(EXPIRED: no longer applies)"), "{lapsed}");
    assert!(
        lapsed.contains("exemption for lapsed.host.kz. expired 2020-01-31"),
        "{lapsed}"
    );

    let mail = check(&["mail.host.kz", "-t", "A"], NO_SUSPENSIONS);
    assert!(mail.contains("exempt host: an NS or MX target"), "{mail}");
    assert!(
        mail.contains("verdict: exempt: a DNS or mail host"),
        "{mail}"
    );
}

#[test]
fn check_names_a_suspension_with_its_line() {
    let list = "domain,reason,reference,since,note\n# c\nhost.kz,court-order,Case 7,2026-11-01,\n";
    let out = check(&["www.host.kz", "-t", "A"], list);
    assert!(
        out.contains("suspended: host.kz. since 2026-11-01, Rules 38/NK p.16(3) court-order"),
        "{out}"
    );
    assert!(out.contains("suspensions.csv:3"), "{out}");
    assert!(out.contains("action: suspended"), "{out}");
    assert!(out.contains("www.host.kz. 60 A 127.0.0.1"), "{out}");
}
