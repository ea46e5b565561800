//! kzdns — a DNS server for .KZ and .ҚАЗ that enforces Kazakhstan's domain rules at the DNS layer.
//!
//! # Architecture
//!
//! ```text
//!   client ──▶ server (UDP/TCP listeners, our RequestHandler) ──▶ zones (indexed zone store,
//!              RFC 1034 lookup) ──▶ reply (EDNS, truncation, AXFR)
//!   browser ──▶ notice (HTTP/HTTPS) ──▶ the same zone and policy snapshots ──▶ the notice page
//! ```
//!
//! * [`config`] — the TOML config of `../shared/design/architecture.md`, with defaults.
//! * [`zones`] — zone files parsed by hickory-proto into our own index: one hash lookup per label
//!   finds the answer, the closest encloser, wildcards and zone cuts.
//! * [`names`] — domain names as wire-format keys whose suffixes are their ancestors.
//! * [`server`] — binds the listeners and answers every query in one `RequestHandler`, where the
//!   policy check and Extended DNS Errors will act on the reply before it is encoded.
//! * [`notice`] — the notice page's HTTP(S) server: why a suspended or redirected name landed
//!   there, in Kazakh, Russian and English.
//! * [`signals`] — one cancellation token for shutdown (SIGTERM, Ctrl-C); SIGHUP reloads.
//! * [`rpz`] — the suspension list as a Response Policy Zone (draft-vixie-dnsop-dns-rpz) for
//!   other resolvers: records, zone-file text, and reading triggers back.
//! * [`cli`] — the subcommands; `main.rs` only parses and dispatches.

pub mod cli;
pub mod config;
pub mod enforce;
pub mod error;
pub mod log_limit;
pub mod logging;
pub mod metrics;
pub mod names;
pub mod notice;
pub mod policy;
pub mod reload;
pub mod respond;
pub mod rpz;
pub mod server;
pub mod signals;
pub mod zones;

pub use error::ExitError;
