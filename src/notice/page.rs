//! HTML rendering of the notice page: one self-contained document (inline CSS, no scripts, no
//! external assets), every language block with its `lang`, every value from a policy file
//! escaped.

use std::{fmt::Write as _, net::IpAddr, sync::LazyLock};

use hickory_proto::rr::Name;

use super::{
    lookup::Finding,
    texts::{self, Lang, Ui, ui},
};
use crate::policy::{Exemption, Reason, Suspension};

/// The page's only stylesheet, inline; the Content-Security-Policy allows exactly this text by
/// its hash. Mobile first: one readable column that widens to 44rem.
const CSS: &str = "\
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f7f9;--card:#fff;\
--line:#d8dee4;--accent:#b42318;--accent-bg:#fef3f2}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;\
--card:#161b22;--line:#30363d;--accent:#ff7b72;--accent-bg:#2d1214}}\
*{box-sizing:border-box}\
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\
body{margin:0;background:var(--bg);color:var(--fg);\
font:1.0625rem/1.55 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",\"DejaVu Sans\",Arial,sans-serif}\
.wrap{max-width:44rem;margin:0 auto;padding:1rem}\
header.top{background:var(--card);border:1px solid var(--line);border-top:6px solid var(--accent);\
border-radius:.5rem;padding:1rem 1.25rem;margin-bottom:1rem}\
.badge{display:inline-block;margin:0 0 .5rem;padding:.1rem .6rem;border-radius:1rem;\
background:var(--accent-bg);color:var(--accent);font-size:.8125rem;font-weight:600;letter-spacing:.02em}\
.domain{margin:0;font-size:1.75rem;line-height:1.2;overflow-wrap:anywhere}\
.puny{margin:.25rem 0 0;color:var(--muted);font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;\
font-size:.9375rem;overflow-wrap:anywhere}\
nav.langs{margin-top:.75rem;display:flex;flex-wrap:wrap;gap:.5rem}\
nav.langs a{color:var(--fg);text-decoration:none;border:1px solid var(--line);border-radius:1rem;\
padding:.15rem .75rem;font-size:.875rem}\
nav.langs a:hover,nav.langs a:focus{border-color:var(--accent);color:var(--accent)}\
section.block{background:var(--card);border:1px solid var(--line);border-radius:.5rem;\
padding:1rem 1.25rem;margin-bottom:1rem}\
h2{font-size:1.3rem;line-height:1.3;margin:0 0 .5rem;color:var(--accent)}\
h3{font-size:1rem;margin:1.25rem 0 .25rem}\
p{margin:.5rem 0}\
dl{margin:.75rem 0 0;display:grid;grid-template-columns:1fr;gap:.1rem 1rem}\
dt{color:var(--muted);font-size:.875rem;margin-top:.5rem}\
dd{margin:0;overflow-wrap:anywhere}\
@media (min-width:36rem){dl{grid-template-columns:11rem 1fr}dt{margin-top:0}}\
.cite{font-weight:600}\
.law{color:var(--muted);font-size:.9375rem;margin-top:1rem}\
ul{margin:.5rem 0;padding-left:1.25rem}li{margin:.25rem 0}\
code{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:.9375rem}\
.note,.contact{white-space:pre-line}\
.contact{font-weight:600}\
";

/// The Content-Security-Policy of every response: nothing may load, run, frame the page or be
/// submitted; the one inline stylesheet is allowed by its SHA-256.
pub static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = ring::digest::digest(&ring::digest::SHA256, CSS.as_bytes());
    format!(
        "default-src 'none'; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'",
        base64(hash.as_ref())
    )
});

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4), for the CSP hash.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The host's two spellings: Unicode for people, punycode for what the DNS holds.
struct HostNames {
    unicode: String,
    ascii: String,
}

impl HostNames {
    fn of(name: &Name) -> Self {
        let strip = |s: String| s.strip_suffix('.').map(str::to_owned).unwrap_or(s);
        Self {
            unicode: strip(name.to_utf8()),
            ascii: strip(name.to_ascii()),
        }
    }
}

/// The whole page for a finding; `order` is the language order (Kazakh first by default).
pub fn render(finding: &Finding, contact: &str, order: [Lang; 3]) -> String {
    match finding {
        Finding::Suspended { host, suspension } => page(
            Some(host),
            &|l| ui(l).suspended_title,
            order,
            &|out, lang| suspended_block(out, lang, host, suspension, contact),
        ),
        Finding::Hosting {
            host,
            foreign,
            expired,
        } => page(Some(host), &|l| ui(l).hosting_title, order, &|out, lang| {
            hosting_block(out, lang, foreign, expired.as_ref(), contact)
        }),
        Finding::NotHere => page(None, &|l| ui(l).not_found_title, order, &|out, lang| {
            let ui = ui(lang);
            let _ = write!(
                out,
                "<h2>{}</h2>\n<p>{}</p>\n",
                ui.not_found_title, ui.not_found_text
            );
        }),
    }
}

/// The document around the language blocks.
fn page(
    host: Option<&Name>,
    title: &dyn Fn(Lang) -> &'static str,
    order: [Lang; 3],
    block: &dyn Fn(&mut String, Lang),
) -> String {
    let mut out = String::with_capacity(12 * 1024);
    let names = host.map(HostNames::of);
    let titles: Vec<&str> = order.iter().map(|&l| title(l)).collect();
    let doc_title = match &names {
        Some(n) => format!("{} — {}", escape(&n.unicode), titles.join(" · ")),
        None => titles.join(" · "),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"kk\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex, nofollow\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{doc_title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<div class=\"wrap\">\n"
    );
    if let Some(names) = &names {
        let _ = write!(
            out,
            "<header class=\"top\">\n<p class=\"badge\">.KZ · .ҚАЗ</p>\n\
             <h1 class=\"domain\">{}</h1>\n",
            escape(&names.unicode)
        );
        if names.unicode != names.ascii {
            let _ = writeln!(out, "<p class=\"puny\">{}</p>", escape(&names.ascii));
        }
        out.push_str("<nav class=\"langs\">");
        for lang in order {
            let _ = write!(
                out,
                "<a href=\"#{0}\" hreflang=\"{0}\" lang=\"{0}\">{1}</a>",
                lang.code(),
                lang.own_name()
            );
        }
        out.push_str("</nav>\n</header>\n");
    }
    out.push_str("<main>\n");
    for lang in order {
        let _ = writeln!(
            out,
            "<section class=\"block\" id=\"{0}\" lang=\"{0}\">",
            lang.code()
        );
        block(&mut out, lang);
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</div>\n</body>\n</html>\n");
    out
}

/// One language's account of a suspension.
fn suspended_block(out: &mut String, lang: Lang, host: &Name, s: &Suspension, contact: &str) {
    let ui = ui(lang);
    let _ = write!(out, "<h2>{}</h2>\n<dl>\n", ui.suspended_title);
    let domain = s.domain.to_name();
    if domain != *host {
        let names = HostNames::of(&domain);
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd>{} ({})</dd>",
            ui.label_suspended_domain,
            escape(&names.unicode),
            ui.and_below
        );
    }
    ground_fact(out, lang, ui, s.reason);
    if !s.reference.trim().is_empty() {
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            ui.label_reference,
            escape(&s.reference)
        );
    }
    let _ = writeln!(
        out,
        "<dt>{}</dt><dd><time datetime=\"{}\">{}</time></dd>",
        ui.label_since,
        s.since,
        texts::date(lang, s.since)
    );
    if !s.note.trim().is_empty() {
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd class=\"note\">{}</dd>",
            ui.label_note,
            escape(s.note.trim())
        );
    }
    // The legal basis in full, after the facts a phone shows first.
    let _ = write!(out, "</dl>\n<p class=\"law\">{}</p>\n", ui.suspended_lead);
    what_to_do(out, ui, texts::remedy(lang, s.reason), ui.owner_then);
    contact_part(out, ui, contact);
}

/// One language's account of a hosting violation.
fn hosting_block(
    out: &mut String,
    lang: Lang,
    foreign: &[IpAddr],
    expired: Option<&Exemption>,
    contact: &str,
) {
    let ui = ui(lang);
    let _ = write!(
        out,
        "<h2>{}</h2>\n<p>{}</p>\n<dl>\n",
        ui.hosting_title, ui.hosting_lead
    );
    ground_fact(out, lang, ui, Reason::HostingOutsideKz);
    let _ = write!(out, "<dt>{}</dt><dd>", ui.label_foreign);
    for (i, ip) in foreign.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(out, "{sep}<code>{ip}</code>");
    }
    out.push_str("</dd>\n</dl>\n");
    if let Some(e) = expired {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            texts::exemption_expired(lang, &escape(&e.provider), &escape(&e.document), e.expires)
        );
    }
    let _ = write!(out, "<h3>{}</h3>\n<ul>\n", ui.label_rule);
    for rule in ui.hosting_rules {
        let _ = writeln!(out, "<li>{rule}</li>");
    }
    out.push_str("</ul>\n");
    let remedy = texts::remedy(lang, Reason::HostingOutsideKz);
    what_to_do(out, ui, remedy, ui.hosting_owner_then);
    contact_part(out, ui, contact);
}

/// What the owner can do (the remedy, then what follows) and what a visitor should know.
fn what_to_do(out: &mut String, ui: &Ui, remedy: &str, then: &str) {
    let _ = write!(
        out,
        "<h3>{}</h3>\n<p><strong>{}</strong> {remedy} {then}</p>\n<p><strong>{}</strong> {}</p>\n",
        ui.what_to_do, ui.owner_lead, ui.visitor_lead, ui.visitor
    );
}

/// "Ground: sub-paragraph N of paragraph 16: text".
fn ground_fact(out: &mut String, lang: Lang, ui: &Ui, reason: Reason) {
    let _ = writeln!(
        out,
        "<dt>{}</dt><dd><span class=\"cite\">{}</span>: {}</dd>",
        ui.label_ground,
        texts::citation(lang, reason.subparagraph()),
        texts::ground(lang, reason)
    );
}

fn contact_part(out: &mut String, ui: &Ui, contact: &str) {
    if !contact.trim().is_empty() {
        let _ = write!(
            out,
            "<h3>{}</h3>\n<p class=\"contact\">{}</p>\n",
            ui.contact,
            escape(contact.trim())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::normalize;
    use time::macros::date;

    fn suspension(domain: &str, note: &str) -> Suspension {
        Suspension {
            domain: crate::names::DomainKey::from_name(&normalize(domain).unwrap()).unwrap(),
            reason: Reason::Malware,
            reference: "CERT <2026> & co".into(),
            since: date!(2026 - 11 - 02),
            note: note.into(),
            line: 2,
        }
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert(1)</script> "x" 'y' & z"#),
            "&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &#39;y&#39; &amp; z"
        );
        assert_eq!(escape("Қазақ"), "Қазақ");
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert!(CONTENT_SECURITY_POLICY.contains("style-src 'sha256-"));
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    }

    #[test]
    fn suspension_page_has_everything_escaped_in_three_languages() {
        let host = normalize("www.пример.қаз").unwrap();
        let finding = Finding::Suspended {
            host,
            suspension: suspension("пример.қаз", "<img src=x onerror=alert(1)>"),
        };
        let html = render(&finding, "Help & <desk>", Lang::DEFAULT_ORDER);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"kk\">"));
        assert!(html.contains("<h1 class=\"domain\">www.пример.қаз</h1>"));
        assert!(html.contains("www.xn--e1afmkfd.xn--80ao21a"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<img"));
        assert!(html.contains("CERT &lt;2026&gt; &amp; co"));
        assert!(html.contains("Help &amp; &lt;desk&gt;"));
        assert!(!html.contains("<script"));
        let kk = html.find("lang=\"kk\">").unwrap();
        let ru = html.find("id=\"ru\" lang=\"ru\"").unwrap();
        let en = html.find("id=\"en\" lang=\"en\"").unwrap();
        assert!(kk < ru && ru < en);
        assert!(html.contains("2026 жылғы 2 қараша"));
        assert!(html.contains("<time datetime=\"2026-11-02\">"));
        assert!(html.contains("Paragraph 16, sub-paragraph 2"));
        assert!(html.contains("Тоқтатылған домен</dt><dd>пример.қаз"));
    }

    #[test]
    fn hosting_page_names_the_addresses_and_the_rule() {
        let finding = Finding::Hosting {
            host: normalize("foreign.host.kz").unwrap(),
            foreign: vec![
                "203.0.113.5".parse().unwrap(),
                "2001:db8::5".parse().unwrap(),
            ],
            expired: None,
        };
        let html = render(&finding, "x", [Lang::En, Lang::Kk, Lang::Ru]);
        assert!(html.contains("<code>203.0.113.5</code>, <code>2001:db8::5</code>"));
        assert!(html.contains("DNS and mail may be anywhere"));
        assert!(
            !html.contains("class=\"puny\""),
            "ASCII names are shown once"
        );
        assert!(html.find("id=\"en\"").unwrap() < html.find("id=\"kk\"").unwrap());
    }
}
