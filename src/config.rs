//! Typed configuration: the TOML file of architecture.md, its defaults, and path resolution.
//!
//! Every key has a default, so no file is needed. Unknown keys are rejected with the key's name and
//! the file, because a misspelt key silently ignored is how a policy server ends up enforcing
//! nothing. Relative paths are resolved against the config file's folder (or the working directory
//! when no file was read).

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};

use hickory_proto::rr::Name;
use ipnet::IpNet;
use serde::Deserialize;

use crate::{logging::LogFormat, names::normalize};

/// The file read from the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "kzdns.toml";

/// Errors while reading the configuration; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown or mistyped key (toml names key and line).
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// The values parse but do not make sense together.
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

/// The whole configuration, with paths already resolved.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub dns: DnsConfig,
    pub zones: ZonesConfig,
    pub policy: PolicyConfig,
    pub notice: NoticeConfig,
    pub metrics: MetricsConfig,
    pub resolver: ResolverConfig,
    pub log: LogConfig,
    pub rpz: RpzConfig,
    /// Where the config came from (None: built-in defaults); used in messages.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// `[dns]`: the DNS listeners.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DnsConfig {
    /// UDP and TCP are both opened on each address; port 0 picks one free port for both.
    pub listen: Vec<SocketAddr>,
    /// Largest UDP reply we send to an EDNS client, whatever larger size it offers
    /// (1232 is the DNS Flag Day 2020 value that avoids IP fragmentation).
    pub max_udp_payload: u16,
    /// Idle TCP connections are closed after this many seconds.
    pub tcp_idle_timeout_secs: u64,
}

impl Default for DnsConfig {
    fn default() -> Self {
        Self {
            listen: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 5353))],
            max_udp_payload: 1232,
            tcp_idle_timeout_secs: 10,
        }
    }
}

impl DnsConfig {
    pub fn tcp_idle_timeout(&self) -> Duration {
        Duration::from_secs(self.tcp_idle_timeout_secs)
    }
}

/// `[zones]`: where zone files live and who may transfer them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ZonesConfig {
    /// Folder of `<origin>.zone` files.
    pub dir: PathBuf,
    /// Client networks allowed to AXFR our zones (a bare address is a /32 or /128).
    #[serde(deserialize_with = "deserialize_nets")]
    pub allow_transfer: Vec<IpNet>,
}

impl Default for ZonesConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("zones"),
            allow_transfer: Vec::new(),
        }
    }
}

/// `[policy]`: the policy folder and what a hosting violation does.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Holds suspensions.csv, exemptions.csv and allowlist/.
    pub dir: PathBuf,
    pub mode: PolicyMode,
    /// Per-zone overrides of `mode`: `[policy.zone_mode]` with `"shop.kz" = "audit"`.
    #[serde(deserialize_with = "deserialize_zone_modes")]
    pub zone_mode: Vec<(Name, PolicyMode)>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("policy"),
            mode: PolicyMode::Notice,
            zone_mode: Vec::new(),
        }
    }
}

/// Zone names as operators write them (Unicode or punycode, any case), normalised.
fn deserialize_zone_modes<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<(Name, PolicyMode)>, D::Error> {
    let raw = std::collections::BTreeMap::<String, PolicyMode>::deserialize(d)?;
    raw.into_iter()
        .map(|(zone, mode)| {
            normalize(&zone)
                .map(|name| (name, mode))
                .map_err(|e| serde::de::Error::custom(format!("policy.zone_mode: {e}")))
        })
        .collect()
}

/// What a hosting violation does to the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyMode {
    /// Answer unchanged; logged and counted.
    Audit,
    /// Remove the non-KZ addresses; act as `notice` when none remain.
    Filter,
    /// Answer with the notice page's address.
    Notice,
    /// Answer REFUSED.
    Refuse,
}

impl fmt::Display for PolicyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Audit => "audit",
            Self::Filter => "filter",
            Self::Notice => "notice",
            Self::Refuse => "refuse",
        })
    }
}

/// Whom the notice page tells owners and visitors to contact, unless `notice.contact` says.
pub const DEFAULT_NOTICE_CONTACT: &str = "KazNIC, the .KZ registry: info@nic.kz";

/// `[notice]`: the notice page and the addresses handed out for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NoticeConfig {
    /// The notice page's plain-HTTP listener (port 0 picks a free port, logged).
    pub listen: SocketAddr,
    pub ipv4: Ipv4Addr,
    pub ipv6: Ipv6Addr,
    /// Free text shown on the notice page under "whom to contact" (in every language block, as
    /// written; HTML-escaped).
    pub contact: String,
    /// Optional HTTPS listener; needs `tls_cert` and `tls_key` (all three or none).
    pub tls_listen: Option<SocketAddr>,
    /// PEM certificate chain for the HTTPS listener, leaf first.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of `tls_cert`.
    pub tls_key: Option<PathBuf>,
}

impl Default for NoticeConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            ipv4: Ipv4Addr::LOCALHOST,
            ipv6: Ipv6Addr::LOCALHOST,
            contact: DEFAULT_NOTICE_CONTACT.to_owned(),
            tls_listen: None,
            tls_cert: None,
            tls_key: None,
        }
    }
}

/// The HTTPS listener of the notice page, when `notice.tls_*` are all set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeTls {
    pub listen: SocketAddr,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl NoticeConfig {
    /// The HTTPS settings: `Ok(None)` when none of the three keys is set, an error naming the
    /// missing ones when only some are.
    pub fn tls(&self) -> Result<Option<NoticeTls>, String> {
        match (&self.tls_listen, &self.tls_cert, &self.tls_key) {
            (Some(listen), Some(cert), Some(key)) => Ok(Some(NoticeTls {
                listen: *listen,
                cert: cert.clone(),
                key: key.clone(),
            })),
            (None, None, None) => Ok(None),
            (listen, cert, key) => {
                let missing: Vec<&str> = [
                    ("notice.tls_listen", listen.is_none()),
                    ("notice.tls_cert", cert.is_none()),
                    ("notice.tls_key", key.is_none()),
                ]
                .into_iter()
                .filter_map(|(key, missing)| missing.then_some(key))
                .collect();
                Err(format!(
                    "notice.tls_listen, notice.tls_cert and notice.tls_key go together \
                     (all three or none); missing: {}",
                    missing.join(", ")
                ))
            }
        }
    }
}

/// `[metrics]`: the Prometheus endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    pub listen: SocketAddr,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 9153)),
        }
    }
}

/// `[rpz]`: the suspension list served live as a Response Policy Zone, by AXFR to
/// `zones.allow_transfer`, so other resolvers enforce the same list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RpzConfig {
    /// Serve the feed at all.
    pub enabled: bool,
    /// The policy zone's name (`rpz.kz.`); queries for it are answered before our zones'.
    #[serde(deserialize_with = "deserialize_name")]
    pub origin: Name,
    /// Where the feed sends suspended names: `CNAME` to this host (the notice page's name).
    #[serde(deserialize_with = "deserialize_name")]
    pub notice_target: Name,
}

impl Default for RpzConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            origin: Name::from_ascii(crate::rpz::DEFAULT_ORIGIN).expect("a valid name"),
            notice_target: Name::from_ascii(crate::rpz::DEFAULT_NOTICE_TARGET)
                .expect("a valid name"),
        }
    }
}

fn deserialize_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
    let raw = String::deserialize(d)?;
    normalize(&raw).map_err(serde::de::Error::custom)
}

/// `[log]`: how and what kzdns logs (the filter is `RUST_LOG`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` (default) or `json`; `--log-format` overrides.
    pub format: LogFormat,
    /// Log every query (client, name, type, rcode, action, time) at info on the target
    /// `kzdns::query`. Off by default: policy actions are always logged, queries are volume.
    pub queries: bool,
    /// At most this many policy-action lines a second (0: no cap); the rest are counted in
    /// `kzdns_log_lines_suppressed_total` and reported in the next line written.
    pub policy_lines_per_second: u32,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            queries: false,
            policy_lines_per_second: 100,
        }
    }
}

/// `[resolver]`: answering names outside our zones (the lab resolver).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ResolverConfig {
    pub mode: ResolverMode,
    /// Upstreams for `forward`.
    pub forward: Vec<SocketAddr>,
    /// Root server addresses for `recursive`; empty means the IANA root hints.
    pub roots: Vec<IpAddr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ResolverMode {
    /// Names outside our zones are REFUSED.
    #[default]
    Off,
    Forward,
    Recursive,
}

/// Accepts `"192.0.2.1"` as well as `"192.0.2.0/24"`: operators list single secondaries most often.
fn deserialize_nets<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    let items = Vec::<String>::deserialize(d)?;
    items
        .iter()
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!("{s:?} is not an IP address or network"))
                })
        })
        .collect()
}

impl Config {
    /// Reads the config: `explicit` when given (it must exist), else `kzdns.toml` in the working
    /// directory when present, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        match explicit {
            Some(path) => Self::from_file(path),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                Self::from_file(Path::new(DEFAULT_CONFIG_FILE))
            }
            None => {
                let mut config = Self::default();
                config.resolve_paths(Path::new("."));
                Ok(config)
            }
        }
    }

    /// Parses one file and resolves its relative paths against its folder.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut config = Self::from_toml(&text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })?;
        let base = path.parent().filter(|p| !p.as_os_str().is_empty());
        config.resolve_paths(base.unwrap_or(Path::new(".")));
        config.source = Some(path.to_owned());
        config.validate()?;
        Ok(config)
    }

    /// Parses TOML text without touching the file system.
    ///
    /// ```
    /// use kzdns::config::{Config, PolicyMode};
    ///
    /// let config = Config::from_toml("[policy]\nmode = \"filter\"\n").unwrap();
    /// assert_eq!(config.policy.mode, PolicyMode::Filter);
    /// assert_eq!(config.dns.listen[0].port(), 5353); // untouched keys keep their defaults
    /// assert!(Config::from_toml("[policy]\nmood = \"x\"\n").unwrap_err().contains("mood"));
    /// ```
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())
    }

    fn resolve_paths(&mut self, base: &Path) {
        let notice = &mut self.notice;
        let files = [notice.tls_cert.as_mut(), notice.tls_key.as_mut()];
        for path in [&mut self.zones.dir, &mut self.policy.dir]
            .into_iter()
            .chain(files.into_iter().flatten())
        {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: self.source.clone().unwrap_or_default(),
            message,
        };
        if self.dns.listen.is_empty() {
            return Err(invalid("dns.listen: at least one address is needed".into()));
        }
        if self.dns.max_udp_payload < 512 {
            return Err(invalid(format!(
                "dns.max_udp_payload = {}: must be at least 512",
                self.dns.max_udp_payload
            )));
        }
        self.notice.tls().map_err(invalid)?;
        match self.resolver.mode {
            ResolverMode::Off => Ok(()),
            mode => Err(invalid(format!(
                "resolver.mode = {mode:?}: only \"off\" is available in this version \
                 (the forwarding and recursive resolver are not built yet)"
            ))),
        }
    }

    /// Human-readable name of where this config came from.
    pub fn source_name(&self) -> String {
        match &self.source {
            Some(p) => p.display().to_string(),
            None => "built-in defaults".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_the_documented_defaults() {
        let c = Config::from_toml("").unwrap();
        assert_eq!(c.dns.listen, vec!["127.0.0.1:5353".parse().unwrap()]);
        assert_eq!(c.zones.dir, PathBuf::from("zones"));
        assert!(c.zones.allow_transfer.is_empty());
        assert_eq!(c.policy.dir, PathBuf::from("policy"));
        assert_eq!(c.policy.mode, PolicyMode::Notice);
        assert_eq!(c.notice.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(c.notice.ipv4, Ipv4Addr::LOCALHOST);
        assert_eq!(c.notice.ipv6, Ipv6Addr::LOCALHOST);
        assert_eq!(c.metrics.listen, "127.0.0.1:9153".parse().unwrap());
        assert_eq!(c.resolver.mode, ResolverMode::Off);
        assert_eq!(c.notice.contact, DEFAULT_NOTICE_CONTACT);
        assert_eq!(c.notice.tls(), Ok(None));
    }

    #[test]
    fn notice_contact_and_tls() {
        let c =
            Config::from_toml("[notice]\ncontact = \"Registry <help@nic.kz>, +7 727 000 00 00\"\n")
                .unwrap();
        assert_eq!(c.notice.contact, "Registry <help@nic.kz>, +7 727 000 00 00");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        std::fs::write(
            &path,
            "[notice]\ntls_listen = \"127.0.0.1:0\"\ntls_cert = \"tls/cert.pem\"\ntls_key = \"/etc/k.pem\"\n",
        )
        .unwrap();
        let tls = Config::from_file(&path)
            .unwrap()
            .notice
            .tls()
            .unwrap()
            .unwrap();
        assert_eq!(tls.listen, "127.0.0.1:0".parse().unwrap());
        assert_eq!(tls.cert, dir.path().join("tls/cert.pem"));
        assert_eq!(tls.key, PathBuf::from("/etc/k.pem"));

        std::fs::write(
            &path,
            "[notice]\ntls_listen = \"127.0.0.1:8443\"\ntls_key = \"k.pem\"\n",
        )
        .unwrap();
        let err = Config::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("k.toml")
                && err.contains("all three or none")
                && err.ends_with("missing: notice.tls_cert"),
            "{err}"
        );
    }

    #[test]
    fn architecture_example_parses() {
        let text = r#"
            [dns]
            listen = ["127.0.0.1:5353", "[::1]:5353"]
            [zones]
            dir = "zones"
            allow_transfer = ["127.0.0.1", "10.0.0.0/8"]
            [policy]
            dir = "policy"
            mode = "refuse"
            [notice]
            listen = "127.0.0.1:8080"
            ipv4 = "127.0.0.1"
            ipv6 = "::1"
            [metrics]
            listen = "127.0.0.1:9153"
            [resolver]
            mode = "off"
            forward = []
            roots = []
        "#;
        let c = Config::from_toml(text).unwrap();
        assert_eq!(c.dns.listen.len(), 2);
        let c2 = Config::from_toml(
            "[policy.zone_mode]\n\"Shop.KZ\" = \"audit\"\n\"қаз\" = \"refuse\"\n",
        )
        .unwrap();
        assert_eq!(
            c2.policy.zone_mode,
            vec![
                (Name::from_ascii("shop.kz.").unwrap(), PolicyMode::Audit),
                (
                    Name::from_ascii("xn--80ao21a.").unwrap(),
                    PolicyMode::Refuse
                )
            ]
        );
        assert_eq!(c.policy.mode, PolicyMode::Refuse);
        assert_eq!(
            c.zones.allow_transfer,
            vec![
                "127.0.0.1/32".parse::<IpNet>().unwrap(),
                "10.0.0.0/8".parse().unwrap()
            ]
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml("[dns]\nlisten = []\nlissen = 1\n").unwrap_err();
        assert!(err.contains("lissen"), "{err}");
        let err = Config::from_toml("[dnss]\n").unwrap_err();
        assert!(err.contains("dnss"), "{err}");
    }

    #[test]
    fn bad_values_are_explained() {
        let err = Config::from_toml("[policy]\nmode = \"block\"\n").unwrap_err();
        assert!(err.contains("block") && err.contains("audit"), "{err}");
        let err = Config::from_toml("[zones]\nallow_transfer = [\"nope\"]\n").unwrap_err();
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn paths_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        std::fs::write(&path, "[zones]\ndir = \"z\"\n[policy]\ndir = \"/abs/p\"\n").unwrap();
        let c = Config::from_file(&path).unwrap();
        assert_eq!(c.zones.dir, dir.path().join("z"));
        assert_eq!(c.policy.dir, PathBuf::from("/abs/p"));
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        std::fs::write(&path, "[dns]\nlisten = []\n").unwrap();
        let err = Config::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("k.toml") && err.contains("dns.listen"),
            "{err}"
        );
        std::fs::write(&path, "[resolver]\nmode = \"forward\"\n").unwrap();
        let err = Config::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("resolver.mode"), "{err}");
    }
}
