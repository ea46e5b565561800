//! The notice page over real TCP (and TLS), against the running server: the seven grounds, names
//! as browsers send them, escaping, hosting violations, headers, HEAD, language order, reloads,
//! and a real browser (headless Chromium) rendering the page.

use std::{
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use kzdns::{
    notice::texts::{self, Lang, ui},
    policy::Reason,
};
use time::macros::date;

use crate::support::*;

/// One suspension per ground, an IDN, and a hostile entry.
const SUSPENSIONS: &str = "# test suspensions\n\
domain,reason,reference,since,note\n\
false-data.kz,false-registrant-data,KazNIC 2026/117,2026-01-15,\n\
malware.kz,malware,KZ-CERT 2026-11-0042,2026-11-02,\"drive-by download, see ticket\"\n\
court.kz,court-order,Case 2-1234/2026,2026-10-01,\n\
incident.kz,unresolved-incident,NCC-IS 2026/77,2026-09-12,\n\
no-tls.kz,no-certificate,ISC 2026/5,2026-08-01,\n\
abroad.kz,hosting-outside-kz,ISC 2026/6,2026-07-01,\n\
phish.kz,phishing,KZ-CERT 2026-11-3141,2026-11-28,Credential phishing imitating a bank login\n\
пример.қаз,court-order,Case 2-99/2026,2026-12-01,\n\
hostile.kz,phishing,<b>ref</b>,2026-12-02,\"<script>alert(1)</script> \"\"><img src=x onerror=alert(2)>\"\n";

/// `[notice]` lines: a contact with markup in it (operator input, must be escaped).
const CONTACT: &str = "contact = 'Help desk <help@nic.kz> & \"co\"'\n";

fn start() -> TestServer {
    Setup::new()
        .suspensions(SUSPENSIONS)
        .notice_extra(CONTACT)
        .start()
}

/// Where each language block starts, to compare the order.
fn block_at(body: &str, lang: Lang) -> usize {
    let tag = format!(
        "<section class=\"block\" id=\"{0}\" lang=\"{0}\">",
        lang.code()
    );
    body.find(&tag)
        .unwrap_or_else(|| panic!("no {tag} in\n{body}"))
}

fn assert_security_headers(r: &HttpResponse, content_type: &str) {
    assert_eq!(r.header("cache-control"), Some("no-store"), "{r:?}");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{r:?}");
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{r:?}");
    assert_eq!(r.header("content-type"), Some(content_type), "{r:?}");
    let csp = r.header("content-security-policy").expect("a CSP");
    for directive in [
        "default-src 'none'",
        "style-src 'sha256-",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp} has {directive}");
    }
    assert!(!csp.contains("script-src"), "{csp}");
}

#[test]
fn every_ground_has_its_notice_in_three_languages() {
    let server = start();
    let cases = [
        (
            "false-data.kz",
            Reason::FalseRegistrantData,
            "KazNIC 2026/117",
            date!(2026 - 01 - 15),
        ),
        (
            "malware.kz",
            Reason::Malware,
            "KZ-CERT 2026-11-0042",
            date!(2026 - 11 - 02),
        ),
        (
            "court.kz",
            Reason::CourtOrder,
            "Case 2-1234/2026",
            date!(2026 - 10 - 01),
        ),
        (
            "incident.kz",
            Reason::UnresolvedIncident,
            "NCC-IS 2026/77",
            date!(2026 - 09 - 12),
        ),
        (
            "no-tls.kz",
            Reason::NoCertificate,
            "ISC 2026/5",
            date!(2026 - 08 - 01),
        ),
        (
            "abroad.kz",
            Reason::HostingOutsideKz,
            "ISC 2026/6",
            date!(2026 - 07 - 01),
        ),
        (
            "phish.kz",
            Reason::Phishing,
            "KZ-CERT 2026-11-3141",
            date!(2026 - 11 - 28),
        ),
    ];
    for (domain, reason, reference, since) in cases {
        let r = http_get(server.http(), domain, "/");
        assert_eq!(r.status, 200, "{domain}: {}", r.body);
        assert_security_headers(&r, "text/html; charset=utf-8");
        let body = &r.body;
        assert!(
            body.contains(&format!("<h1 class=\"domain\">{domain}</h1>")),
            "{body}"
        );
        assert!(body.contains(reference), "{domain}");
        assert!(
            body.contains(&format!("<time datetime=\"{since}\">")),
            "{domain}"
        );
        for lang in Lang::DEFAULT_ORDER {
            let n = reason.subparagraph();
            assert!(
                body.contains(&texts::citation(lang, n)),
                "{domain} {lang:?}"
            );
            assert!(
                body.contains(texts::ground(lang, reason)),
                "{domain} {lang:?}"
            );
            assert!(
                body.contains(texts::remedy(lang, reason)),
                "{domain} {lang:?}"
            );
            assert!(
                body.contains(&texts::date(lang, since)),
                "{domain} {lang:?}"
            );
            assert!(body.contains(ui(lang).suspended_title), "{domain} {lang:?}");
            // Only this ground is shown.
            for other in Reason::ALL.into_iter().filter(|r| *r != reason) {
                assert!(
                    !body.contains(texts::ground(lang, other)),
                    "{domain}: {other}"
                );
            }
        }
        assert!(body.contains("Help desk &lt;help@nic.kz&gt; &amp; &quot;co&quot;"));
    }
    // The Kazakh wording is the rules' own (shared/seed), the Russian and English are theirs.
    let court = http_get(server.http(), "court.kz", "/").body;
    assert!(court.contains("16-тармақтың 3) тармақшасы"));
    assert!(court.contains("заңды күшіне енген сот шешімі болған"));
    assert!(court.contains("вступившего в законную силу решения суда"));
    assert!(court.contains("Paragraph 16, sub-paragraph 3"));
    let phish = http_get(server.http(), "phish.kz", "/").body;
    assert!(phish.contains("Credential phishing imitating a bank login"));
    assert!(phish.contains("2026 жылғы 28 қараша"));
    assert!(phish.contains("28 ноября 2026 г."));
    assert!(phish.contains("28 November 2026"));
}

#[test]
fn subdomains_ports_case_and_deep_links() {
    let server = start();
    let r = http_get(
        server.http(),
        "www.shop.malware.kz",
        "/some/deep/link?x=1#y",
    );
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("<h1 class=\"domain\">www.shop.malware.kz</h1>")
    );
    assert!(
        r.body
            .contains("Suspended domain</dt><dd>malware.kz (and every name below it)")
    );
    assert!(r.body.contains("Тоқтатылған домен</dt><dd>malware.kz"));
    for host in [
        "malware.kz:8080",
        "MALWARE.KZ",
        "Malware.Kz.:80",
        "malware.kz.",
    ] {
        let r = http_get(server.http(), host, "/index.php");
        assert_eq!(r.status, 200, "{host}");
        assert!(
            r.body.contains("<h1 class=\"domain\">malware.kz</h1>"),
            "{host}"
        );
        assert!(
            !r.body.contains("Suspended domain"),
            "{host}: the name itself"
        );
    }
    // A name that merely ends the same way is not covered.
    assert_eq!(http_get(server.http(), "notmalware.kz", "/").status, 404);
}

#[test]
fn unicode_and_punycode_hosts() {
    let server = start();
    for host in [
        "пример.қаз",
        "ПРИМЕР.ҚАЗ:8080",
        "xn--e1afmkfd.xn--80ao21a",
        "XN--E1AFMKFD.XN--80AO21A:80",
    ] {
        let r = http_get(server.http(), host, "/");
        assert_eq!(r.status, 200, "{host}: {}", r.body);
        assert!(
            r.body.contains("<h1 class=\"domain\">пример.қаз</h1>"),
            "{host}"
        );
        assert!(
            r.body
                .contains("<p class=\"puny\">xn--e1afmkfd.xn--80ao21a</p>"),
            "{host}"
        );
        assert!(r.body.contains("Case 2-99/2026"), "{host}");
    }
    let r = http_get(server.http(), "www.пример.қаз", "/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("www.xn--e1afmkfd.xn--80ao21a"));
    assert!(r.body.contains("Suspended domain</dt><dd>пример.қаз"));
}

#[test]
fn the_notice_servers_own_name_looks_up_the_domain_in_the_query() {
    let server = start();
    let own = server.http().to_string();
    let ask = |host: &str, query: &str| http_get(server.http(), host, &format!("/?{query}"));
    let r = ask("notice.nic.kz", "domain=malware.kz");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<h1 class=\"domain\">malware.kz</h1>"));
    assert!(r.body.contains("KZ-CERT 2026-11-0042"));
    // Percent-encoded Unicode, and an IP-literal Host.
    let r = ask(
        &own,
        "lang=x&domain=%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.%D2%9B%D0%B0%D0%B7",
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<h1 class=\"domain\">пример.қаз</h1>"));
    assert_eq!(ask("notice.nic.kz", "domain=good.kz").status, 404);
    assert_eq!(ask("notice.nic.kz", "domain=%3Cscript%3E").status, 404);
    // A suspended Host wins over the query.
    let r = ask("phish.kz", "domain=malware.kz");
    assert!(r.body.contains("<h1 class=\"domain\">phish.kz</h1>"));
}

#[test]
fn hosts_with_nothing_to_say_get_a_short_neutral_404() {
    let server = start();
    let own = server.http().to_string();
    for host in [
        "good.kz",
        "example.com",
        own.as_str(),
        "[::1]:8080",
        "[::1]",
        "",
        "bad name.kz",
    ] {
        let r = http_get(server.http(), host, "/");
        assert_eq!(r.status, 404, "{host:?}");
        assert_security_headers(&r, "text/html; charset=utf-8");
        assert!(r.body.len() < 6000, "short: {} bytes", r.body.len());
        for lang in Lang::DEFAULT_ORDER {
            assert!(
                r.body.contains(ui(lang).not_found_title),
                "{host:?} {lang:?}"
            );
            assert!(!r.body.contains(ui(lang).suspended_title), "{host:?}");
        }
        assert!(!r.body.contains("<h1"), "neutral: no name is shown");
    }
}

#[test]
fn policy_values_are_escaped() {
    let server = start();
    let r = http_get(server.http(), "hostile.kz", "/");
    assert_eq!(r.status, 200);
    let body = &r.body;
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{body}"
    );
    assert!(
        body.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"),
        "{body}"
    );
    assert!(body.contains("&lt;b&gt;ref&lt;/b&gt;"), "{body}");
    assert!(body.contains("Help desk &lt;help@nic.kz&gt; &amp; &quot;co&quot;"));
    for raw in [
        "<script",
        "<img",
        "<b>",
        "onerror=alert(2)>",
        "<help@nic.kz>",
    ] {
        assert!(!body.contains(raw), "{raw} appears unescaped");
    }
}

/// The hosting-rule fixture (tests/data/policy-zones) with the exemptions of the policy tests.
fn hosting_setup(mode: &str) -> Setup {
    Setup::new()
        .zones(&data("policy-zones"))
        .mode(mode)
        .exemptions(
            "domain,provider,document,expires\n\
             guarded.host.kz,Cloudflare,INV-2026-0042,2099-12-31\n\
             lapsed.host.kz,Qrator,contract <17>,2020-01-31\n",
        )
        .allowlist_file("ops.cidr", "192.0.2.77/32\n")
}

#[test]
fn hosting_violations_sent_here_explain_the_rule() {
    let server = hosting_setup("notice").start();
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("foreign.host.kz", &["203.0.113.5"], &[]),
        ("foreign6.host.kz", &["2001:db8::5"], &[]),
        ("mixed.host.kz", &["203.0.113.20"], &["80.241.1.20"]),
        ("cdn.host.kz", &["198.51.100.7"], &[]),
        ("abroad.kz", &["203.0.113.9"], &[]),
        ("amazon.host.kz", &["31.223.192.10"], &[]),
    ];
    for (host, foreign, kazakh) in cases {
        let r = http_get(server.http(), &format!("{host}:8080"), "/shop/cart");
        assert_eq!(r.status, 200, "{host}: {}", r.body);
        assert_security_headers(&r, "text/html; charset=utf-8");
        for ip in *foreign {
            assert!(
                r.body.contains(&format!("<code>{ip}</code>")),
                "{host} names {ip}"
            );
        }
        for ip in *kazakh {
            assert!(!r.body.contains(ip), "{host}: {ip} is in Kazakhstan");
        }
        for lang in Lang::DEFAULT_ORDER {
            let ui = ui(lang);
            assert!(r.body.contains(ui.hosting_title), "{host} {lang:?}");
            assert!(r.body.contains(ui.label_foreign), "{host} {lang:?}");
            for rule in ui.hosting_rules {
                assert!(r.body.contains(rule), "{host} {lang:?}");
            }
            assert!(
                r.body.contains(&texts::citation(lang, 6)),
                "{host} {lang:?}"
            );
            assert!(
                r.body
                    .contains(texts::ground(lang, Reason::HostingOutsideKz))
            );
        }
    }
    let body = http_get(server.http(), "foreign.host.kz", "/").body;
    assert!(body.contains("DNS and mail may be anywhere"));
    assert!(body.contains("DNS және поштаны кез келген елде орналастыруға болады"));
    assert!(body.contains("DDoS"));

    // An exemption that has run out is named, escaped.
    let r = http_get(server.http(), "lapsed.host.kz", "/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<code>104.16.1.2</code>"));
    assert!(
        r.body
            .contains("(Qrator, contract &lt;17&gt;) expired on 31 January 2020")
    );

    // Compliant, exempt, DNS and mail hosts, unjudged chains, and names that do not exist: the DNS
    // side answers them unchanged, so nobody is sent here for them.
    for host in [
        "host.kz",
        "www.host.kz",
        "mail.host.kz",
        "ns.host.kz",
        "guarded.host.kz",
        "ops.host.kz",
        "ext.host.kz",
        "nothere.host.kz",
        "a.nic.kz",
    ] {
        assert_eq!(http_get(server.http(), host, "/").status, 404, "{host}");
    }
}

#[test]
fn modes_that_do_not_rewrite_to_the_notice_address_get_no_hosting_page() {
    let audit = hosting_setup("audit").start();
    assert_eq!(http_get(audit.http(), "foreign.host.kz", "/").status, 404);
    // filter: a mixed set keeps its Kazakh address (not sent here), an all-foreign one is;
    // a zone in refuse mode is answered REFUSED (not sent here).
    let filter = hosting_setup("filter")
        .tables("[policy.zone_mode]\n\"kz\" = \"refuse\"\n")
        .start();
    assert_eq!(http_get(filter.http(), "mixed.host.kz", "/").status, 404);
    assert_eq!(http_get(filter.http(), "foreign.host.kz", "/").status, 200);
    assert_eq!(http_get(filter.http(), "abroad.kz", "/").status, 404);
}

#[test]
fn head_healthz_and_headers_on_every_response() {
    let server = start();
    let addr = server.http();
    let cases = [
        ("malware.kz", "/", 200, "text/html; charset=utf-8"),
        ("www.malware.kz", "/a/b", 200, "text/html; charset=utf-8"),
        ("good.kz", "/", 404, "text/html; charset=utf-8"),
        ("127.0.0.1", "/healthz", 200, "text/plain; charset=utf-8"),
        ("malware.kz", "/healthz", 200, "text/plain; charset=utf-8"),
    ];
    for (host, path, status, content_type) in cases {
        let get = http_get(addr, host, path);
        let head = http_request(addr, "HEAD", host, path, &[]);
        assert_eq!((get.status, head.status), (status, status), "{host}{path}");
        assert_security_headers(&get, content_type);
        assert_security_headers(&head, content_type);
        assert!(head.body.is_empty(), "HEAD {host}{path}: {:?}", head.body);
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "{host}{path}"
        );
        let without_date = |r: &HttpResponse| {
            let mut h: Vec<_> = r
                .headers
                .iter()
                .filter(|(n, _)| n != "date")
                .cloned()
                .collect();
            h.sort();
            h
        };
        assert_eq!(without_date(&get), without_date(&head), "{host}{path}");
    }
    assert_eq!(http_get(addr, "x", "/healthz").body, "ok\n");
    // Other methods: 405, still with the headers.
    let post = http_request(addr, "POST", "malware.kz", "/", &[("Content-Length", "0")]);
    assert_eq!(post.status, 405);
    assert_security_headers(&post, "text/html; charset=utf-8");
}

#[test]
fn accept_language_orders_the_blocks_kazakh_first_by_default() {
    let server = start();
    let get = |accept: Option<&str>| {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("Accept-Language", a)).into_iter().collect();
        let r = http_request(server.http(), "GET", "phish.kz", "/", &headers);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("vary"), Some("Accept-Language"));
        assert!(r.body.contains("<html lang=\"kk\">"));
        r.body
    };
    let order = |body: &str| {
        let mut langs = Lang::DEFAULT_ORDER;
        langs.sort_by_key(|l| block_at(body, *l));
        langs
    };
    use Lang::*;
    assert_eq!(order(&get(None)), [Kk, Ru, En]);
    assert_eq!(order(&get(Some("kk-KZ,kk;q=0.9,ru;q=0.8"))), [Kk, Ru, En]);
    assert_eq!(
        order(&get(Some("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"))),
        [Ru, En, Kk]
    );
    assert_eq!(order(&get(Some("en-GB,en;q=0.9"))), [En, Kk, Ru]);
    assert_eq!(order(&get(Some("de-DE,de;q=0.9"))), [Kk, Ru, En]);
    // The language links follow the same order.
    let body = get(Some("ru"));
    let link = |l: Lang| body.find(&format!("<a href=\"#{}\"", l.code())).unwrap();
    assert!(link(Ru) < link(Kk) && link(Kk) < link(En));
}

#[test]
fn a_reload_changes_the_page() {
    let head = "domain,reason,reference,since,note\n";
    let server = Setup::new()
        .suspensions(&format!(
            "{head}reload.kz,malware,CERT-1,2026-11-01,first\n"
        ))
        .start();
    let page = |host: &str| http_get(server.http(), host, "/");
    let malware = texts::ground(Lang::En, Reason::Malware);
    let court = texts::ground(Lang::En, Reason::CourtOrder);
    assert!(page("reload.kz").body.contains(malware));
    assert_eq!(page("later.kz").status, 404);

    std::fs::write(
        server.path("policy/suspensions.csv"),
        format!(
            "{head}reload.kz,court-order,Case 7/2026,2026-12-01,second\n\
             later.kz,phishing,CERT-2,2026-12-02,\n"
        ),
    )
    .unwrap();
    signal_pid(server.pid(), "HUP");
    assert!(
        eventually(Duration::from_secs(10), || page("reload.kz")
            .body
            .contains(court)),
        "{}",
        server.log()
    );
    let body = page("reload.kz").body;
    assert!(body.contains("Case 7/2026") && !body.contains(malware));
    let later = page("later.kz");
    assert_eq!(later.status, 200);
    assert!(
        later
            .body
            .contains(texts::ground(Lang::En, Reason::Phishing))
    );

    // A broken edit is rejected; the page keeps showing the last good list.
    std::fs::write(
        server.path("policy/suspensions.csv"),
        format!("{head}reload.kz,spam,,2026-12-01,\n"),
    )
    .unwrap();
    signal_pid(server.pid(), "HUP");
    assert!(server.logged("policy reload rejected"), "{}", server.log());
    assert!(page("reload.kz").body.contains(court));
}

/// A test CA and a certificate it issued for `names`, as PEM (cert, key), plus the CA's DER.
fn test_certificate(names: &[&str]) -> (String, String, Vec<u8>) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kzdns test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    (cert.pem(), key.serialize_pem(), ca.der().to_vec())
}

/// A TLS client that trusts only `ca_der`, connected to `addr` for `server_name`.
fn tls_stream(
    addr: std::net::SocketAddr,
    server_name: &str,
    ca_der: &[u8],
) -> impl std::io::Read + std::io::Write {
    use tokio_rustls::rustls::{
        ClientConfig, ClientConnection, RootCertStore, StreamOwned,
        crypto::ring::default_provider,
        pki_types::{CertificateDer, ServerName},
    };
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(ca_der.to_vec())).unwrap();
    let config = ClientConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(server_name.to_owned()).unwrap();
    let conn = ClientConnection::new(Arc::new(config), name).unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    StreamOwned::new(conn, tcp)
}

#[test]
fn https_listener_serves_the_page_with_the_configured_certificate() {
    let (cert, key, ca) = test_certificate(&["notice.test", "malware.kz"]);
    let server = Setup::new()
        .suspensions(SUSPENSIONS)
        .file("tls/cert.pem", cert)
        .file("tls/key.pem", key)
        // Relative paths: resolved against the config file's folder.
        .notice_extra(
            "tls_listen = \"127.0.0.1:0\"\ntls_cert = \"tls/cert.pem\"\ntls_key = \"tls/key.pem\"\n",
        )
        .start();
    let https = server.https_addr.expect("listening on https is logged");
    assert!(
        server
            .log()
            .contains(&format!("listening on https {https}"))
    );
    assert_ne!(Some(https), server.http_addr);

    let stream = tls_stream(https, "malware.kz", &ca);
    let r = http_exchange(stream, "GET", "malware.kz", "/login", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_security_headers(&r, "text/html; charset=utf-8");
    assert!(r.body.contains("<h1 class=\"domain\">malware.kz</h1>"));
    assert!(r.body.contains(texts::ground(Lang::Kk, Reason::Malware)));
    assert!(r.body.contains("KZ-CERT 2026-11-0042"));

    // The notice server's own name (the one a real certificate is for) has nothing to say by
    // itself; `?domain=` asks about a suspended name without a certificate warning.
    let stream = tls_stream(https, "notice.test", &ca);
    let r = http_exchange(stream, "GET", "notice.test", "/", &[]);
    assert_eq!(r.status, 404);
    let stream = tls_stream(https, "notice.test", &ca);
    let r = http_exchange(stream, "GET", "notice.test", "/?domain=court.kz", &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<h1 class=\"domain\">court.kz</h1>"));
    assert!(r.body.contains("Case 2-1234/2026"));

    // A suspended name the certificate does not cover fails verification: what a browser shows
    // as a certificate warning (see the README's "Notice page" section).
    let mut stream = tls_stream(https, "court.kz", &ca);
    let result =
        std::io::Write::write_all(&mut stream, b"GET / HTTP/1.1\r\nHost: court.kz\r\n\r\n")
            .and_then(|()| std::io::Write::flush(&mut stream))
            .and_then(|()| std::io::Read::read(&mut stream, &mut [0; 16]));
    let error = result.expect_err("certificate not valid for court.kz");
    assert!(
        error.to_string().contains("NotValidForName")
            || error.to_string().contains("not valid for"),
        "{error}"
    );
}

#[test]
fn tls_settings_go_together_and_bad_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("k.toml");
    let check = |text: &str| {
        std::fs::write(&config, text).unwrap();
        let out = Command::new(KZDNS)
            .args(["serve", "--check", "--config"])
            .arg(&config)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = check("[notice]\ntls_listen = \"127.0.0.1:0\"\n");
    assert_ne!(code, Some(0));
    assert!(
        stderr.contains("k.toml")
            && stderr.contains("all three or none")
            && stderr.contains("notice.tls_cert, notice.tls_key"),
        "{stderr}"
    );
    std::fs::write(dir.path().join("cert.pem"), "not a certificate\n").unwrap();
    let zones = data("zones").display().to_string();
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy");
    let policy = policy.display().to_string();
    let (code, stderr) = check(&format!(
        "[zones]\ndir = {zones:?}\n[policy]\ndir = {policy:?}\n[notice]\n\
         tls_listen = \"127.0.0.1:0\"\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n"
    ));
    assert_ne!(code, Some(0));
    assert!(
        stderr.contains(&dir.path().join("cert.pem").display().to_string())
            && stderr.contains("no CERTIFICATE"),
        "{stderr}"
    );
}

/// The `chromium` binary; a clear failure when it is missing (CI installs it in .ci/run).
fn chromium() -> &'static str {
    let found = Command::new("chromium")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "chromium is not installed: `apt-get install chromium` (.ci/run installs it); \
         the notice page's browser test needs it"
    );
    "chromium"
}

/// Runs headless Chromium on `url` with every host name mapped to loopback, so it sends the
/// suspended name as Host while connecting only to 127.0.0.1. Bounded in time.
fn run_chromium(url: &str, extra: &[&str]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-proxy-server",
            "--host-resolver-rules=MAP * 127.0.0.1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

/// `target/` (screenshots go there for people to look at).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .to_owned()
}

#[test]
fn chromium_renders_the_notice_page() {
    let server = start();
    let port = server.http().port();
    let url = format!("http://www.phish.kz:{port}/account/login?next=%2F");

    // What a person's browser shows: the DOM after parsing, with a Russian browser's preference.
    let out = run_chromium(&url, &["--accept-lang=ru-RU,ru", "--dump-dom"]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && dom.contains("<html lang=\"kk\">"),
        "chromium failed ({}):\n{}\n{dom}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dom.contains("www.phish.kz"), "{dom}");
    assert!(dom.contains("phish.kz (и все его поддомены)"), "{dom}");
    for lang in Lang::DEFAULT_ORDER {
        assert!(dom.contains(ui(lang).suspended_title), "{lang:?}\n{dom}");
        assert!(
            dom.contains(texts::ground(lang, Reason::Phishing)),
            "{lang:?}"
        );
    }
    assert!(dom.contains("KZ-CERT 2026-11-3141"));
    assert!(
        dom.contains("Help desk &lt;help@nic.kz&gt; &amp; \"co\""),
        "{dom}"
    );
    assert!(
        block_at(&dom, Lang::Ru) < block_at(&dom, Lang::Kk),
        "Russian first for ru"
    );
    assert!(!dom.contains("<script"));

    // Screenshots, phone and desktop, Kazakh first as most visitors see it.
    let target = target_dir();
    for (file, size) in [
        ("notice-page.png", "412,900"),
        ("notice-page-desktop.png", "1280,1100"),
    ] {
        let path = target.join(file);
        let _ = std::fs::remove_file(&path);
        let out = run_chromium(
            &url,
            &[
                "--accept-lang=kk",
                "--hide-scrollbars",
                &format!("--window-size={size}"),
                &format!("--screenshot={}", path.display()),
            ],
        );
        let png = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}\n{}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{}",
            path.display()
        );
    }
}
