//! The Kazakhstan address allowlist: answers "is this IP address in Kazakhstan?" for the hosting
//! rule (Rules No. 38/НҚ, paragraph 16, sub-paragraph 6) from the files in `policy/allowlist/`.
//!
//! An address is **in Kazakhstan** when an operator addition holds it, or when (a) a block
//! registered to KZ holds it and (b) where routing data is loaded, the most specific announced
//! prefix holding it exists and every origin AS of that prefix is registered to KZ. Without routing
//! data, (a) alone decides. File formats are chosen by file name, see [`SourceKind`].
//!
//! Building compiles the whole rule once into a sorted range table per address family, so
//! [`Allowlist::is_kz`] is a single lock-free, allocation-free lookup. The per-source records are
//! kept beside it only so [`Allowlist::explain`] can name the file and line behind each answer.

mod parse;
mod table;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ipnet::IpNet;

use table::{RangeTable, Span};

/// A file that could not be read, or a line that is not valid in its format.
#[derive(Debug, thiserror::Error)]
pub enum AllowlistError {
    /// `file:line: problem`, with `line` counted from 1.
    #[error("{}:{line}: {msg}", file.display())]
    Parse {
        file: PathBuf,
        line: usize,
        msg: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What a file in the allowlist folder holds, chosen by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// `delegated-*`: RIR delegated(-extended) statistics, `registry|cc|type|start|value|date|status|...`.
    /// Records with `cc == KZ` and status allocated or assigned give registered blocks (ipv4: `value`
    /// addresses from `start`; ipv6: `value` is the prefix length) and registered ASNs (`value`
    /// ASNs from `start`). Version, summary and other countries' lines are skipped.
    Delegated,
    /// `registered-*.cidr`: blocks registered to KZ, one prefix a line.
    Registered,
    /// `*.asn`: ASNs registered to KZ, one a line as `9198` or `AS9198`; further columns ignored.
    Asn,
    /// `*.pfx2as`: routing data in CAIDA pfx2as layout, `address<TAB>length<TAB>origins`.
    /// Its presence (even empty) switches on the routing condition of the rule.
    Routing,
    /// Any other `*.cidr`: operator additions, in Kazakhstan outright.
    Operator,
}

impl SourceKind {
    /// The kind a file name selects, or `None` for files that are not allowlist sources
    /// (`SOURCES.md`, READMEs, dotfiles such as editor swap files).
    pub fn from_file_name(name: &str) -> Option<Self> {
        if name.starts_with('.') {
            return None;
        }
        let name = name.to_ascii_lowercase();
        if name.starts_with("delegated-") {
            Some(Self::Delegated)
        } else if name.ends_with(".pfx2as") {
            Some(Self::Routing)
        } else if name.ends_with(".asn") {
            Some(Self::Asn)
        } else if name.ends_with(".cidr") && name.starts_with("registered-") {
            Some(Self::Registered)
        } else if name.ends_with(".cidr") {
            Some(Self::Operator)
        } else {
            None
        }
    }
}

/// Where a record came from: the source's label (its path, for loaded files) and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRef {
    pub file: Arc<Path>,
    pub line: usize,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Handle for a source declared with [`AllowlistBuilder::source`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceId(u32);

/// Compact record origin; expanded to a [`SourceRef`] only when explaining.
#[derive(Clone, Copy, Debug)]
struct Src {
    file: u32,
    line: u32,
}

#[derive(Clone, Debug)]
struct Entry {
    net: IpNet,
    src: Src,
}

/// One pfx2as line; its origins live in the shared pool at `origins.0 .. origins.0 + origins.1`.
#[derive(Clone, Debug)]
struct Route {
    net: IpNet,
    src: Src,
    origins: (u32, u32),
}

#[derive(Clone, Debug)]
struct AsnEntry {
    first: u32,
    last: u32,
    src: Src,
}

trait HasNet {
    fn net(&self) -> &IpNet;
}
impl HasNet for Entry {
    fn net(&self) -> &IpNet {
        &self.net
    }
}
impl HasNet for Route {
    fn net(&self) -> &IpNet {
        &self.net
    }
}

/// Sort and search order of prefixes: family, first address, then shortest prefix first.
fn key(net: &IpNet) -> (bool, u128, u8) {
    match net {
        IpNet::V4(n) => (false, u128::from(u32::from(n.network())), n.prefix_len()),
        IpNet::V6(n) => (true, u128::from(n.network()), n.prefix_len()),
    }
}

/// The addresses of a prefix as an inclusive span (IPv4 in the low 32 bits).
fn span(net: &IpNet) -> Span {
    let (_, first, len) = key(net);
    let host_bits = u32::from(net.max_prefix_len() - len);
    (
        first,
        first | u128::MAX.checked_shr(128 - host_bits).unwrap_or(0),
    )
}

/// Collects sources, then compiles them into an [`Allowlist`]. Every `add_*` checks its input and
/// reports problems as [`AllowlistError::Parse`] naming the source label and line.
#[derive(Debug, Default)]
pub struct AllowlistBuilder {
    files: Vec<(SourceKind, Arc<Path>)>,
    registered: Vec<Entry>,
    operator: Vec<Entry>,
    routes: Vec<Route>,
    origin_pool: Vec<u32>,
    asns: Vec<AsnEntry>,
    routing: bool,
}

impl AllowlistBuilder {
    /// Declares a source (normally a file name) for the `add_*` calls below. Declaring a
    /// [`SourceKind::Routing`] source switches on the routing condition, even if it stays empty.
    pub fn source(&mut self, kind: SourceKind, label: impl AsRef<Path>) -> SourceId {
        self.routing |= kind == SourceKind::Routing;
        self.files.push((kind, Arc::from(label.as_ref())));
        SourceId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    /// Parses `text` as a whole file of `kind`; `label` names it in errors and explanations.
    pub fn add_text(
        &mut self,
        kind: SourceKind,
        label: impl AsRef<Path>,
        text: &str,
    ) -> Result<&mut Self, AllowlistError> {
        let id = self.source(kind, label);
        parse::parse(self, id, kind, text.as_bytes())?;
        Ok(self)
    }

    /// Reads and parses `path` by the kind its file name selects. Returns `Ok(false)`, without
    /// reading, when the name selects no kind.
    pub fn add_file(&mut self, path: &Path) -> Result<bool, AllowlistError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let Some(kind) = SourceKind::from_file_name(&name) else {
            return Ok(false);
        };
        let bytes = std::fs::read(path).map_err(|source| AllowlistError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let id = self.source(kind, path);
        parse::parse(self, id, kind, &bytes)?;
        Ok(true)
    }

    /// Adds a block registered to KZ.
    pub fn add_registered(
        &mut self,
        src: SourceId,
        line: usize,
        net: IpNet,
    ) -> Result<&mut Self, AllowlistError> {
        self.check_net(src, line, net)?;
        self.registered.push(Entry {
            net,
            src: Src::new(src, line),
        });
        Ok(self)
    }

    /// Adds an operator addition, in Kazakhstan whatever the other sources say.
    pub fn add_operator(
        &mut self,
        src: SourceId,
        line: usize,
        net: IpNet,
    ) -> Result<&mut Self, AllowlistError> {
        self.check_net(src, line, net)?;
        self.operator.push(Entry {
            net,
            src: Src::new(src, line),
        });
        Ok(self)
    }

    /// Adds `count` consecutive ASNs from `first` as registered to KZ.
    pub fn add_kz_asns(
        &mut self,
        src: SourceId,
        line: usize,
        first: u32,
        count: u32,
    ) -> Result<&mut Self, AllowlistError> {
        let last = count.checked_sub(1).and_then(|c| first.checked_add(c));
        match last {
            Some(last) if first > 0 => {
                self.asns.push(AsnEntry {
                    first,
                    last,
                    src: Src::new(src, line),
                });
                Ok(self)
            }
            _ => Err(self.error(
                src,
                line,
                format!("invalid ASN range: {count} from {first}"),
            )),
        }
    }

    /// Adds an announced prefix and its origin ASNs (several for multi-origin routes and AS sets).
    /// The same prefix on several lines or files has the union of their origins.
    pub fn add_route(
        &mut self,
        src: SourceId,
        line: usize,
        net: IpNet,
        origins: &[u32],
    ) -> Result<&mut Self, AllowlistError> {
        self.check_net(src, line, net)?;
        if origins.is_empty() || origins.contains(&0) {
            return Err(self.error(src, line, format!("invalid origins {origins:?} for {net}")));
        }
        let mut origins = origins.to_vec();
        origins.sort_unstable();
        origins.dedup();
        let start = u32::try_from(self.origin_pool.len()).unwrap_or(u32::MAX);
        let count = u32::try_from(origins.len()).unwrap_or(u32::MAX);
        self.origin_pool.extend(origins);
        self.routes.push(Route {
            net,
            src: Src::new(src, line),
            origins: (start, count),
        });
        Ok(self)
    }

    /// Compiles the rule. Infallible: every input was checked when it was added.
    pub fn build(mut self) -> Allowlist {
        // Records of one prefix stay in load order (file, line), for `explain`.
        self.registered
            .sort_unstable_by_key(|e| (key(&e.net), e.src.file, e.src.line));
        self.operator
            .sort_unstable_by_key(|e| (key(&e.net), e.src.file, e.src.line));
        self.routes
            .sort_unstable_by_key(|r| (key(&r.net), r.src.file, r.src.line));
        self.asns
            .sort_unstable_by_key(|a| (a.first, a.last, a.src.file, a.src.line));
        let kz_asns = table::merge(
            self.asns
                .iter()
                .map(|a| (u128::from(a.first), u128::from(a.last)))
                .collect(),
        )
        .into_iter()
        .map(|(f, l)| (f as u32, l as u32))
        .collect();
        let lengths = [
            Lengths::of(&self.registered),
            Lengths::of(&self.operator),
            Lengths::of(&self.routes),
        ];
        let max_asn_span = self
            .asns
            .iter()
            .map(|a| a.last - a.first)
            .max()
            .unwrap_or(0);
        let detail = Detail {
            lengths,
            max_asn_span,
            files: self.files,
            registered: self.registered,
            operator: self.operator,
            routes: self.routes,
            origin_pool: self.origin_pool,
            asns: self.asns,
            kz_asns,
            routing: self.routing,
        };
        let origin_flags = detail.origin_flags();
        let (v4_spans, v4) = detail.compile(false, &origin_flags);
        let (v6_spans, v6) = detail.compile(true, &origin_flags);
        let (v4_table, v6_table) = (RangeTable::new(&v4_spans), RangeTable::new(&v6_spans));
        let mut files = FileCounts::default();
        for (kind, _) in &detail.files {
            *files.get_mut(*kind) += 1;
        }
        let stats = AllowlistStats {
            files,
            registered_prefixes: detail.count(&detail.registered),
            operator_prefixes: detail.count(&detail.operator),
            announced_prefixes: PerFamily {
                v4: v4.announced,
                v6: v6.announced,
            },
            kz_asns: detail
                .kz_asns
                .iter()
                .map(|&(f, l)| u64::from(l - f) + 1)
                .sum(),
            routing_loaded: detail.routing,
            table_ranges: PerFamily {
                v4: v4_table.ranges(),
                v6: v6_table.ranges(),
            },
            addresses: PerFamily {
                v4: v4.addresses,
                v6: v6.addresses,
            },
        };
        Allowlist {
            v4: v4_table,
            v6: v6_table,
            detail,
            stats,
        }
    }

    fn label(&self, src: SourceId) -> &Path {
        self.files
            .get(src.0 as usize)
            .map_or(Path::new("<unknown source>"), |(_, p)| p)
    }

    fn error(&self, src: SourceId, line: usize, msg: impl Into<String>) -> AllowlistError {
        AllowlistError::Parse {
            file: self.label(src).to_path_buf(),
            line,
            msg: msg.into(),
        }
    }

    /// Rejects prefixes with host bits set: in a registry, routing or operator file they mean a
    /// typo or corruption, and guessing the intended block could allow the wrong addresses.
    fn check_net(&self, src: SourceId, line: usize, net: IpNet) -> Result<(), AllowlistError> {
        if net.trunc() == net {
            return Ok(());
        }
        Err(self.error(
            src,
            line,
            format!("host bits set in {net} (the block is {})", net.trunc()),
        ))
    }
}

impl Src {
    fn new(src: SourceId, line: usize) -> Self {
        Self {
            file: src.0,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        }
    }
}

/// Everything the sources said, sorted for `explain`'s prefix searches.
#[derive(Clone, Debug)]
struct Detail {
    files: Vec<(SourceKind, Arc<Path>)>,
    registered: Vec<Entry>,
    operator: Vec<Entry>,
    routes: Vec<Route>,
    origin_pool: Vec<u32>,
    asns: Vec<AsnEntry>,
    /// Disjoint, sorted ranges of KZ ASNs.
    kz_asns: Vec<(u32, u32)>,
    /// Longest `last - first` in `asns`, to bound the backward scan in `explain`.
    max_asn_span: u32,
    routing: bool,
    /// Prefix lengths present in `registered`, `operator`, `routes`, so `explain` searches only those.
    lengths: [Lengths; 3],
}

/// Distinct prefix lengths in a list, longest first, per family.
#[derive(Clone, Debug, Default)]
struct Lengths {
    v4: Vec<u8>,
    v6: Vec<u8>,
}

impl Lengths {
    fn of<T: HasNet>(list: &[T]) -> Self {
        let mut out = Self::default();
        for t in list {
            let (v6, _, len) = key(t.net());
            let lens = if v6 { &mut out.v6 } else { &mut out.v4 };
            if !lens.contains(&len) {
                lens.push(len);
            }
        }
        out.v4.sort_unstable_by(|a, b| b.cmp(a));
        out.v6.sort_unstable_by(|a, b| b.cmp(a));
        out
    }

    fn for_ip(&self, ip: IpAddr) -> &[u8] {
        if ip.is_ipv4() { &self.v4 } else { &self.v6 }
    }
}

/// What compiling one family found, for [`AllowlistStats`].
struct FamilyOutcome {
    announced: usize,
    addresses: AddressCounts,
}

impl Detail {
    fn source_ref(&self, src: Src) -> SourceRef {
        let file = self.files.get(src.file as usize).map_or_else(
            || Arc::from(Path::new("<unknown source>")),
            |(_, p)| Arc::clone(p),
        );
        SourceRef {
            file,
            line: src.line as usize,
        }
    }

    fn origins(&self, route: &Route) -> &[u32] {
        let (start, count) = (route.origins.0 as usize, route.origins.1 as usize);
        self.origin_pool
            .get(start..start + count)
            .unwrap_or_default()
    }

    /// For each entry of the origin pool, whether it is a KZ ASN: one sort and a merge against the
    /// KZ ranges, instead of a cache-missing binary search per route, which dominated building a
    /// 1 M-route table.
    fn origin_flags(&self) -> Vec<bool> {
        let mut order: Vec<(u32, u32)> = self
            .origin_pool
            .iter()
            .zip(0u32..)
            .map(|(&asn, i)| (asn, i))
            .collect();
        order.sort_unstable();
        let mut flags = vec![false; order.len()];
        let mut ranges = self.kz_asns.iter().peekable();
        for (asn, i) in order {
            while ranges.next_if(|&&(_, last)| last < asn).is_some() {}
            if ranges.peek().is_some_and(|&&(first, _)| first <= asn) {
                flags[i as usize] = true;
            }
        }
        flags
    }

    /// Every `.asn` / delegated line listing `asn`, in load order.
    fn asn_sources(&self, asn: u32) -> Vec<SourceRef> {
        let end = self.asns.partition_point(|a| a.first <= asn);
        let lowest = asn.saturating_sub(self.max_asn_span);
        let mut srcs: Vec<Src> = self.asns[..end]
            .iter()
            .rev()
            .take_while(|a| a.first >= lowest)
            .filter(|a| a.last >= asn)
            .map(|a| a.src)
            .collect();
        srcs.sort_by_key(|s| (s.file, s.line));
        srcs.into_iter().map(|s| self.source_ref(s)).collect()
    }

    fn count(&self, list: &[Entry]) -> PerFamily<usize> {
        let v6 = list
            .iter()
            .filter(|e| matches!(e.net, IpNet::V6(_)))
            .count();
        PerFamily {
            v4: list.len() - v6,
            v6,
        }
    }

    /// The family's part of a list sorted by [`key`] (IPv4 first).
    fn family<T: HasNet>(list: &[T], v6: bool) -> &[T] {
        let split = list.partition_point(|t| matches!(t.net(), IpNet::V4(_)));
        if v6 { &list[split..] } else { &list[..split] }
    }

    /// Evaluates the rule on every elementary interval of one family and returns the merged
    /// spans that are in Kazakhstan.
    fn compile(&self, v6: bool, origin_flags: &[bool]) -> (Vec<Span>, FamilyOutcome) {
        let spans = |list: &[Entry]| {
            table::merge(
                Self::family(list, v6)
                    .iter()
                    .map(|e| span(&e.net))
                    .collect(),
            )
        };
        let registered = spans(&self.registered);
        let operator = spans(&self.operator);
        // One item per distinct announced prefix: its span and whether all its origins are KZ.
        let items: Vec<(u128, u128, bool)> = Self::family(&self.routes, v6)
            .chunk_by(|a, b| key(&a.net) == key(&b.net))
            .map(|group| {
                let (s, e) = span(&group[0].net);
                let kz = group.iter().all(|r| {
                    let (start, count) = (r.origins.0 as usize, r.origins.1 as usize);
                    let flags = origin_flags.get(start..start + count).unwrap_or_default();
                    flags.iter().all(|&kz| kz)
                });
                (s, e, kz)
            })
            .collect();
        let kz_routed = table::most_specific_true(items.iter().copied());
        let announced = table::merge(items.iter().map(|&(s, e, _)| (s, e)).collect());
        let allowed = if self.routing {
            table::intersect(&registered, &kz_routed)
        } else {
            registered.clone()
        };
        let in_kz = table::union(&operator, &allowed);

        let registered_size = table::size(&registered);
        let (not_announced, foreign_origin) = if self.routing {
            let reg_announced = table::size(&table::intersect(&registered, &announced));
            (
                registered_size.saturating_sub(reg_announced),
                reg_announced.saturating_sub(table::size(&allowed)),
            )
        } else {
            (0, 0)
        };
        let addresses = AddressCounts {
            registered: registered_size,
            in_kz: table::size(&in_kz),
            registered_not_announced: not_announced,
            registered_foreign_origin: foreign_origin,
        };
        (
            in_kz,
            FamilyOutcome {
                announced: items.len(),
                addresses,
            },
        )
    }

    /// Entries of a sorted list whose prefix holds `ip`, most specific first, grouped by prefix.
    fn holding<'a, T: HasNet>(
        list: &'a [T],
        lengths: &'a Lengths,
        ip: IpAddr,
    ) -> impl Iterator<Item = &'a [T]> {
        lengths.for_ip(ip).iter().filter_map(move |&len| {
            let k = key(&IpNet::new(ip, len).ok()?.trunc());
            let lo = list.partition_point(|t| key(t.net()) < k);
            let n = list[lo..].iter().take_while(|t| key(t.net()) == k).count();
            (n > 0).then(|| &list[lo..lo + n])
        })
    }

    fn matches(&self, list: &[Entry], lengths: &Lengths, ip: IpAddr) -> Vec<Match> {
        Self::holding(list, lengths, ip)
            .flatten()
            .map(|e| Match {
                prefix: e.net,
                source: self.source_ref(e.src),
            })
            .collect()
    }

    fn announcement(&self, ip: IpAddr) -> Option<Announcement> {
        let group = Self::holding(&self.routes, &self.lengths[2], ip).next()?;
        let mut asns: Vec<u32> = group
            .iter()
            .flat_map(|r| self.origins(r))
            .copied()
            .collect();
        asns.sort_unstable();
        asns.dedup();
        let origins = asns
            .into_iter()
            .map(|asn| Origin {
                asn,
                kz_sources: self.asn_sources(asn),
            })
            .collect();
        Some(Announcement {
            prefix: group[0].net,
            sources: group.iter().map(|r| self.source_ref(r.src)).collect(),
            origins,
        })
    }
}

/// The compiled allowlist. Immutable once built, `Send + Sync`; share it behind an `Arc`.
#[derive(Clone)]
pub struct Allowlist {
    v4: RangeTable<u32>,
    v6: RangeTable<u128>,
    detail: Detail,
    stats: AllowlistStats,
}

impl fmt::Debug for Allowlist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Allowlist")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Allowlist {
    /// Reads every source file in `dir` (not recursing; other files ignored, see
    /// [`SourceKind::from_file_name`]) in file-name order, and builds the allowlist.
    pub fn load_dir(dir: &Path) -> Result<Allowlist, AllowlistError> {
        let io = |source| AllowlistError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            paths.push(entry.map_err(io)?.path());
        }
        paths.sort();
        let mut builder = Self::builder();
        for path in &paths {
            builder.add_file(path)?;
        }
        Ok(builder.build())
    }

    /// A builder for sources held in memory (tests, benches, other loaders).
    pub fn builder() -> AllowlistBuilder {
        AllowlistBuilder::default()
    }

    /// Whether `ip` is in Kazakhstan. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are judged as
    /// the IPv4 address they carry. The hot path: one bucket lookup and a short binary search.
    #[inline]
    pub fn is_kz(&self, ip: IpAddr) -> bool {
        match ip.to_canonical() {
            IpAddr::V4(a) => self.v4.contains(u32::from(a)),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }

    /// Why `ip` is or is not in Kazakhstan, with the file and line of every record involved.
    /// Slower than [`Allowlist::is_kz`] (a few dozen binary searches) but does no I/O.
    pub fn explain(&self, ip: IpAddr) -> Explanation {
        let ip = ip.to_canonical();
        let d = &self.detail;
        let operator = d.matches(&d.operator, &d.lengths[1], ip);
        let registered = d.matches(&d.registered, &d.lengths[0], ip);
        let announcement = if d.routing { d.announcement(ip) } else { None };
        let reason = if !operator.is_empty() {
            Reason::OperatorAddition
        } else if registered.is_empty() {
            Reason::NotRegistered
        } else if !d.routing {
            Reason::RegisteredNoRouting
        } else {
            match &announcement {
                None => Reason::NotAnnounced,
                Some(a) if a.origins.iter().all(Origin::is_kz) => Reason::RegisteredKzOrigin,
                Some(_) => Reason::ForeignOrigin,
            }
        };
        Explanation {
            ip,
            in_kz: reason.in_kz(),
            reason,
            operator,
            registered,
            routing_loaded: d.routing,
            announcement,
        }
    }

    /// Sizes of what was loaded and compiled.
    pub fn stats(&self) -> AllowlistStats {
        self.stats
    }
}

/// Why an address is or is not in Kazakhstan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// An operator addition holds it.
    OperatorAddition,
    /// Registered to KZ, and the most specific announced prefix has only KZ origins.
    RegisteredKzOrigin,
    /// Registered to KZ; no routing data is loaded, so registration alone decides.
    RegisteredNoRouting,
    /// No block registered to KZ holds it.
    NotRegistered,
    /// Registered to KZ, but routing data is loaded and no announced prefix holds it.
    NotAnnounced,
    /// Registered to KZ, but an origin of the most specific announced prefix is not a KZ ASN.
    ForeignOrigin,
}

impl Reason {
    pub fn in_kz(self) -> bool {
        matches!(
            self,
            Self::OperatorAddition | Self::RegisteredKzOrigin | Self::RegisteredNoRouting
        )
    }

    /// A stable short code for logs, metrics labels and EDE text.
    pub fn code(self) -> &'static str {
        match self {
            Self::OperatorAddition => "operator-addition",
            Self::RegisteredKzOrigin => "kz-registered-kz-origin",
            Self::RegisteredNoRouting => "kz-registered",
            Self::NotRegistered => "not-kz-registered",
            Self::NotAnnounced => "not-announced",
            Self::ForeignOrigin => "foreign-origin",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OperatorAddition => "listed as an operator addition",
            Self::RegisteredKzOrigin => "registered to KZ and announced only by KZ-registered ASNs",
            Self::RegisteredNoRouting => "registered to KZ (no routing data loaded)",
            Self::NotRegistered => "not in any block registered to KZ",
            Self::NotAnnounced => "registered to KZ but not announced in the routing data",
            Self::ForeignOrigin => "registered to KZ but announced by an ASN not registered to KZ",
        })
    }
}

/// A prefix from a source that holds the address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub prefix: IpNet,
    pub source: SourceRef,
}

/// The most specific announced prefix holding the address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    pub prefix: IpNet,
    /// Every routing line that announces exactly this prefix.
    pub sources: Vec<SourceRef>,
    /// Origins, ascending, from all those lines.
    pub origins: Vec<Origin>,
}

/// An origin AS and where it is listed as registered to KZ (empty: not a KZ ASN).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub asn: u32,
    pub kz_sources: Vec<SourceRef>,
}

impl Origin {
    pub fn is_kz(&self) -> bool {
        !self.kz_sources.is_empty()
    }
}

/// The verdict for one address and the records behind it, for `kzdns check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The address judged (IPv4-mapped IPv6 shown as IPv4).
    pub ip: IpAddr,
    pub in_kz: bool,
    pub reason: Reason,
    /// Operator additions holding the address, most specific first.
    pub operator: Vec<Match>,
    /// KZ-registered blocks holding the address, most specific first.
    pub registered: Vec<Match>,
    pub routing_loaded: bool,
    /// The most specific announced prefix holding it (`None` if none, or no routing data).
    pub announcement: Option<Announcement>,
}

fn write_matches(f: &mut fmt::Formatter<'_>, what: &str, list: &[Match]) -> fmt::Result {
    write!(f, "\n  {what}: ")?;
    if list.is_empty() {
        return f.write_str("none");
    }
    for (i, m) in list.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        write!(f, "{sep}{} ({})", m.prefix, m.source)?;
    }
    Ok(())
}

impl fmt::Display for Explanation {
    /// Several lines: the verdict, then operator additions, registered blocks and routing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.in_kz {
            "in Kazakhstan"
        } else {
            "NOT in Kazakhstan"
        };
        write!(f, "{}: {verdict}: {}", self.ip, self.reason)?;
        write_matches(f, "operator addition", &self.operator)?;
        write_matches(f, "registered to KZ", &self.registered)?;
        f.write_str("\n  announced: ")?;
        let Some(a) = &self.announcement else {
            let none = if self.routing_loaded {
                "no announced prefix holds it"
            } else {
                "no routing data loaded"
            };
            return f.write_str(none);
        };
        write!(f, "{} (", a.prefix)?;
        for (i, s) in a.sources.iter().enumerate() {
            write!(f, "{}{s}", if i == 0 { "" } else { ", " })?;
        }
        f.write_str(") by")?;
        for (i, o) in a.origins.iter().enumerate() {
            write!(f, "{} AS{} ", if i == 0 { "" } else { "," }, o.asn)?;
            if o.kz_sources.is_empty() {
                f.write_str("not KZ")?;
            } else {
                f.write_str("KZ (")?;
                for (j, s) in o.kz_sources.iter().enumerate() {
                    write!(f, "{}{s}", if j == 0 { "" } else { ", " })?;
                }
                f.write_str(")")?;
            }
        }
        Ok(())
    }
}

/// A pair of counts, one per address family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerFamily<T> {
    pub v4: T,
    pub v6: T,
}

/// Files loaded, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub delegated: usize,
    pub registered: usize,
    pub asn: usize,
    pub routing: usize,
    pub operator: usize,
}

impl FileCounts {
    pub fn total(&self) -> usize {
        self.delegated + self.registered + self.asn + self.routing + self.operator
    }

    fn get_mut(&mut self, kind: SourceKind) -> &mut usize {
        match kind {
            SourceKind::Delegated => &mut self.delegated,
            SourceKind::Registered => &mut self.registered,
            SourceKind::Asn => &mut self.asn,
            SourceKind::Routing => &mut self.routing,
            SourceKind::Operator => &mut self.operator,
        }
    }
}

/// Address counts of one family (the whole IPv6 space saturates at `u128::MAX`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddressCounts {
    /// Registered to KZ (delegated and registered files, overlaps counted once).
    pub registered: u128,
    /// In Kazakhstan by the rule, operator additions included.
    pub in_kz: u128,
    /// Registered but excluded because no announced prefix holds them (0 without routing data).
    pub registered_not_announced: u128,
    /// Registered and announced, but excluded because an origin is not a KZ ASN.
    pub registered_foreign_origin: u128,
}

/// What an [`Allowlist`] holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllowlistStats {
    pub files: FileCounts,
    /// Registered prefixes as loaded (delegated IPv4 records count once per CIDR block).
    pub registered_prefixes: PerFamily<usize>,
    pub operator_prefixes: PerFamily<usize>,
    /// Distinct announced prefixes.
    pub announced_prefixes: PerFamily<usize>,
    /// Distinct KZ ASNs.
    pub kz_asns: u64,
    pub routing_loaded: bool,
    /// Disjoint address ranges in the compiled lookup tables.
    pub table_ranges: PerFamily<usize>,
    pub addresses: PerFamily<AddressCounts>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// The shipped data. In the kzdns crate this is `<repo>/policy/allowlist`.
    const REAL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/policy/allowlist");

    fn real() -> &'static Allowlist {
        static REAL: OnceLock<Allowlist> = OnceLock::new();
        REAL.get_or_init(|| match Allowlist::load_dir(Path::new(REAL_DIR)) {
            Ok(a) => a,
            Err(e) => panic!("shipped allowlist must load: {e}"),
        })
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    fn fixture(files: &[(SourceKind, &str, &str)]) -> Allowlist {
        let mut b = Allowlist::builder();
        for &(kind, label, text) in files {
            if let Err(e) = b.add_text(kind, label, text) {
                panic!("fixture {label}: {e}");
            }
        }
        b.build()
    }

    /// Asserts verdict and reason from both paths, and returns the explanation.
    fn judge(a: &Allowlist, addr: &str, in_kz: bool, reason: Reason) -> Explanation {
        let e = a.explain(ip(addr));
        assert_eq!(a.is_kz(ip(addr)), in_kz, "is_kz({addr}):\n{e}");
        assert_eq!(
            (e.in_kz, e.reason),
            (in_kz, reason),
            "explain({addr}):\n{e}"
        );
        e
    }

    fn file_line(s: &SourceRef) -> String {
        let name = s
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("{name}:{}", s.line)
    }

    fn origins(e: &Explanation) -> Vec<(u32, bool)> {
        let a = e.announcement.as_ref().expect("an announcement");
        a.origins.iter().map(|o| (o.asn, o.is_kz())).collect()
    }

    #[test]
    fn allowlist_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Allowlist>();
    }

    #[test]
    fn real_kz_address_announced_by_kz_asn() {
        for addr in ["2.57.96.1", "2.57.96.255"] {
            let e = judge(real(), addr, true, Reason::RegisteredKzOrigin);
            assert_eq!(
                file_line(&e.registered[0].source),
                "registered-kz-ipv4.cidr:2"
            );
            let a = e.announcement.as_ref().expect("announced");
            assert_eq!(a.prefix.to_string(), "2.57.96.0/24");
            assert_eq!(
                a.sources.iter().map(file_line).collect::<Vec<_>>(),
                ["routing-kz.pfx2as:5"]
            );
            assert_eq!(origins(&e), [(41798, true)]);
            let kz: Vec<String> = a.origins[0].kz_sources.iter().map(file_line).collect();
            assert!(kz.iter().any(|s| s.starts_with("kz.asn:")), "{kz:?}");
        }
    }

    #[test]
    fn real_kz_registered_space_announced_by_foreign_asn() {
        for (addr, asn) in [
            ("31.223.192.1", 16509),
            ("31.223.199.254", 16509),
            ("31.43.179.1", 209242),
        ] {
            let e = judge(real(), addr, false, Reason::ForeignOrigin);
            assert!(!e.registered.is_empty());
            assert_eq!(origins(&e), [(asn, false)]);
        }
    }

    #[test]
    fn real_kz_asn_announcing_foreign_space() {
        let e = judge(real(), "5.42.127.1", false, Reason::NotRegistered);
        assert_eq!(origins(&e), [(210976, true)]);
    }

    #[test]
    fn real_moas_with_a_foreign_origin_is_not_kz() {
        let e = judge(real(), "185.146.0.1", false, Reason::ForeignOrigin);
        assert_eq!(
            e.announcement.as_ref().map(|a| a.prefix.to_string()),
            Some("185.146.0.0/24".into())
        );
        assert_eq!(origins(&e), [(48716, true), (262287, false)]);
        // The neighbouring /24s of the same KZ /22 have only the KZ origin.
        judge(real(), "185.146.1.1", true, Reason::RegisteredKzOrigin);
        judge(real(), "185.146.3.254", true, Reason::RegisteredKzOrigin);
    }

    #[test]
    fn real_well_known_foreign_addresses() {
        for addr in [
            "8.8.8.8",
            "1.1.1.1",
            "9.9.9.9",
            "2001:4860:4860::8888",
            "2606:4700:4700::1111",
        ] {
            judge(real(), addr, false, Reason::NotRegistered);
        }
    }

    #[test]
    fn real_ipv6_and_mapped_addresses() {
        let e = judge(real(), "2a00:12f8::1", true, Reason::RegisteredKzOrigin);
        assert_eq!(origins(&e), [(9198, true)]);
        let e = judge(real(), "::ffff:2.57.96.1", true, Reason::RegisteredKzOrigin);
        assert_eq!(e.ip, ip("2.57.96.1"));
        judge(real(), "::ffff:8.8.8.8", false, Reason::NotRegistered);
    }

    #[test]
    fn real_stats() {
        let s = real().stats();
        let files = FileCounts {
            delegated: 1,
            registered: 2,
            asn: 1,
            routing: 1,
            operator: 1,
        };
        assert_eq!(s.files, files);
        assert!(s.routing_loaded);
        assert_eq!(s.kz_asns, 282);
        assert_eq!(s.announced_prefixes.v4 + s.announced_prefixes.v6, 6391);
        // 574 + 90 aggregated CIDRs, plus 346 ipv4 (split into CIDRs) and 46 ipv6 delegated records.
        assert!(s.registered_prefixes.v4 >= 574 + 346);
        assert_eq!(s.registered_prefixes.v6, 90 + 46);
        assert_eq!(s.operator_prefixes, PerFamily { v4: 0, v6: 0 });
        for c in [s.addresses.v4, s.addresses.v6] {
            assert!(c.registered_not_announced > 0 && c.registered_foreign_origin > 0);
            let excluded = c.registered_not_announced + c.registered_foreign_origin;
            assert_eq!(
                c.in_kz,
                c.registered - excluded,
                "no operator additions are shipped"
            );
        }
    }

    #[test]
    fn real_lookup_agrees_with_explain() {
        let a = real();
        let d = &a.detail;
        let mut probes: Vec<IpAddr> = Vec::new();
        let nets = d.registered.iter().chain(&d.operator).map(|e| e.net);
        for net in nets.chain(d.routes.iter().map(|r| r.net)) {
            let (first, last) = span(&net);
            for v in [first.wrapping_sub(1), first, last, last.wrapping_add(1)] {
                probes.push(match net {
                    IpNet::V4(_) => IpAddr::V4((v as u32).into()),
                    IpNet::V6(_) => IpAddr::V6(v.into()),
                });
            }
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            probes.push(IpAddr::V4((x as u32).into()));
            // Random addresses in 2a00::/12, where most KZ IPv6 space is.
            probes.push(IpAddr::V6(
                (0x2a00u128 << 112 | u128::from(x) << 52 >> 12).into(),
            ));
        }
        for p in probes {
            assert_eq!(a.is_kz(p), a.explain(p).in_kz, "{}", a.explain(p));
        }
    }

    const KZ_ASN: (SourceKind, &str, &str) =
        (SourceKind::Asn, "kz.asn", "AS64500\tKZ Telecom\n64501\n");
    const REGISTERED: (SourceKind, &str, &str) = (
        SourceKind::Registered,
        "registered-kz.cidr",
        "10.0.0.0/16\n10.1.0.0/16\n10.2.0.0/16\n2001:db8::/32\n",
    );
    const ROUTES: (SourceKind, &str, &str) = (
        SourceKind::Routing,
        "r.pfx2as",
        "# prefix\tlen\torigin
10.0.0.0\t16\t64500
10.0.5.0\t24\t15169
10.1.0.0\t16\t15169
10.1.2.0\t24\t64501
10.2.0.0\t17\t64500
2001:db8::\t32\t64500_64501
2001:db8:1::\t48\t{64500,15169}
",
    );

    #[test]
    fn more_specific_foreign_route_inside_kz_covering_prefix() {
        let a = fixture(&[KZ_ASN, REGISTERED, ROUTES]);
        let e = judge(&a, "10.0.5.1", false, Reason::ForeignOrigin);
        assert_eq!(
            e.announcement.as_ref().map(|a| a.prefix.to_string()),
            Some("10.0.5.0/24".into())
        );
        for addr in ["10.0.0.0", "10.0.4.255", "10.0.6.0", "10.0.255.255"] {
            judge(&a, addr, true, Reason::RegisteredKzOrigin);
        }
        // And the reverse: a KZ more-specific inside a foreign covering prefix.
        judge(&a, "10.1.2.3", true, Reason::RegisteredKzOrigin);
        judge(&a, "10.1.3.0", false, Reason::ForeignOrigin);
        // Registered but only half announced.
        judge(&a, "10.2.127.255", true, Reason::RegisteredKzOrigin);
        let e = judge(&a, "10.2.128.0", false, Reason::NotAnnounced);
        assert!(e.announcement.is_none() && e.routing_loaded);
        // IPv6: multi-origin all KZ; an AS set with a foreign member.
        let e = judge(&a, "2001:db8:2::1", true, Reason::RegisteredKzOrigin);
        assert_eq!(origins(&e), [(64500, true), (64501, true)]);
        let e = judge(&a, "2001:db8:1::1", false, Reason::ForeignOrigin);
        assert_eq!(origins(&e), [(15169, false), (64500, true)]);
        judge(&a, "2001:db9::1", false, Reason::NotRegistered);
    }

    #[test]
    fn operator_addition_overrides_everything() {
        let ops = (
            SourceKind::Operator,
            "ops.cidr",
            "# contract 1\n10.0.5.0/25\n8.8.8.8\n::/0 # whole v6\n",
        );
        let a = fixture(&[KZ_ASN, REGISTERED, ROUTES, ops]);
        let e = judge(&a, "10.0.5.1", true, Reason::OperatorAddition);
        assert_eq!(file_line(&e.operator[0].source), "ops.cidr:2");
        assert_eq!(
            origins(&e),
            [(15169, false)],
            "explain still shows the routing"
        );
        judge(&a, "10.0.5.128", false, Reason::ForeignOrigin);
        let e = judge(&a, "8.8.8.8", true, Reason::OperatorAddition);
        assert_eq!(e.operator[0].prefix.to_string(), "8.8.8.8/32");
        judge(&a, "8.8.8.9", false, Reason::NotRegistered);
        judge(&a, "2001:db8:1::1", true, Reason::OperatorAddition);
        judge(
            &a,
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            true,
            Reason::OperatorAddition,
        );
        assert_eq!(a.stats().operator_prefixes, PerFamily { v4: 2, v6: 1 });
        assert_eq!(
            a.stats().addresses.v6.in_kz,
            u128::MAX,
            "the whole space saturates"
        );
    }

    #[test]
    fn without_routing_data_registration_alone_decides() {
        let a = fixture(&[KZ_ASN, REGISTERED]);
        let e = judge(&a, "10.0.5.1", true, Reason::RegisteredNoRouting);
        assert!(!e.routing_loaded && e.announcement.is_none());
        judge(&a, "10.2.200.1", true, Reason::RegisteredNoRouting);
        judge(&a, "10.3.0.0", false, Reason::NotRegistered);
        assert!(!a.stats().routing_loaded);
        assert_eq!(a.stats().addresses.v4.registered_not_announced, 0);
        // A routing file, even one with no routes, switches the routing condition on.
        let empty = (SourceKind::Routing, "empty.pfx2as", "# nothing announced\n");
        let a = fixture(&[KZ_ASN, REGISTERED, empty]);
        judge(&a, "10.0.5.1", false, Reason::NotAnnounced);
        assert_eq!(a.stats().addresses.v4.registered_not_announced, 3 << 16);
    }

    #[test]
    fn routes_repeated_across_lines_and_files_union_their_origins() {
        let more = (
            SourceKind::Routing,
            "more.pfx2as",
            "10.0.0.0\t16\t15169\n10.2.0.0\t17\t64501\n",
        );
        let a = fixture(&[KZ_ASN, REGISTERED, ROUTES, more]);
        let e = judge(&a, "10.0.0.1", false, Reason::ForeignOrigin);
        let ann = e.announcement.as_ref().expect("announced");
        assert_eq!(
            ann.sources.iter().map(file_line).collect::<Vec<_>>(),
            ["r.pfx2as:2", "more.pfx2as:1"]
        );
        assert_eq!(origins(&e), [(15169, false), (64500, true)]);
        judge(&a, "10.2.0.1", true, Reason::RegisteredKzOrigin);
        assert_eq!(a.stats().files.routing, 2);
        // Whichever file comes first.
        let a = fixture(&[KZ_ASN, REGISTERED, more, ROUTES]);
        judge(&a, "10.0.0.1", false, Reason::ForeignOrigin);
    }

    #[test]
    fn delegated_asn_records_make_origins_kz() {
        let delegated = (
            SourceKind::Delegated,
            "delegated-test.txt",
            "2|ripencc|1|1|1|1|+0200\nripencc|KZ|asn|64600|2|20100603|allocated|x\nripencc|KZ|ipv4|10.9.0.0|384|20100603|assigned|x\n",
        );
        let routes = (
            SourceKind::Routing,
            "r.pfx2as",
            "10.9.0.0\t24\t64601\n10.9.1.0\t24\t64602\n",
        );
        let a = fixture(&[delegated, routes]);
        let e = judge(&a, "10.9.0.1", true, Reason::RegisteredKzOrigin);
        let kz = &e.announcement.as_ref().expect("announced").origins[0].kz_sources;
        assert_eq!(
            kz.iter().map(file_line).collect::<Vec<_>>(),
            ["delegated-test.txt:2"]
        );
        assert_eq!(file_line(&e.registered[0].source), "delegated-test.txt:3");
        // 384 addresses = 10.9.0.0/24 + 10.9.1.0/25; AS64602 is not in the 2-ASN record.
        judge(&a, "10.9.1.1", false, Reason::ForeignOrigin);
        judge(&a, "10.9.1.128", false, Reason::NotRegistered);
        assert_eq!(a.stats().kz_asns, 2);
    }

    #[test]
    fn explanation_display() {
        let a = fixture(&[KZ_ASN, REGISTERED, ROUTES]);
        assert_eq!(
            a.explain(ip("2001:db8:1::1")).to_string(),
            "2001:db8:1::1: NOT in Kazakhstan: registered to KZ but announced by an ASN not registered to KZ
  operator addition: none
  registered to KZ: 2001:db8::/32 (registered-kz.cidr:4)
  announced: 2001:db8:1::/48 (r.pfx2as:8) by AS15169 not KZ, AS64500 KZ (kz.asn:1)"
        );
        assert_eq!(
            a.explain(ip("10.2.128.1")).to_string(),
            "10.2.128.1: NOT in Kazakhstan: registered to KZ but not announced in the routing data
  operator addition: none
  registered to KZ: 10.2.0.0/16 (registered-kz.cidr:3)
  announced: no announced prefix holds it"
        );
        let a = fixture(&[REGISTERED]);
        assert_eq!(
            a.explain(ip("10.0.0.1")).to_string(),
            "10.0.0.1: in Kazakhstan: registered to KZ (no routing data loaded)
  operator addition: none
  registered to KZ: 10.0.0.0/16 (registered-kz.cidr:1)
  announced: no routing data loaded"
        );
        assert_eq!(Reason::ForeignOrigin.code(), "foreign-origin");
    }

    #[test]
    fn file_names_select_the_format() {
        use SourceKind::*;
        for (name, kind) in [
            ("delegated-ripencc-kz.txt", Some(Delegated)),
            ("delegated-apnic-extended-latest", Some(Delegated)),
            ("registered-kz-ipv4.cidr", Some(Registered)),
            ("kz.asn", Some(Asn)),
            ("routing-kz.pfx2as", Some(Routing)),
            ("operator-additions.cidr", Some(Operator)),
            ("Extra.CIDR", Some(Operator)),
            ("SOURCES.md", None),
            ("README", None),
            (".operator-additions.cidr.swp", None),
            (".hidden.cidr", None),
            ("ops.cidr~", None),
        ] {
            assert_eq!(SourceKind::from_file_name(name), kind, "{name}");
        }
    }

    /// A fresh folder under the system temp dir, removed on drop.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str, files: &[(&str, &str)]) -> Self {
            let dir =
                std::env::temp_dir().join(format!("kzdns-allowlist-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("temp dir");
            for (file, text) in files {
                std::fs::write(dir.join(file), text).expect("temp file");
            }
            Self(dir)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn load_dir_reads_sources_and_ignores_other_files() {
        let dir = TempDir::new(
            "ok",
            &[
                ("registered-kz.cidr", "10.0.0.0/16\r\n"),
                ("kz.asn", "AS64500\n"),
                ("r.pfx2as", "10.0.0.0\t16\t64500\n"),
                ("ops.cidr", "# none\n"),
                ("SOURCES.md", "# not a source: 1.2.3/33\n"),
                (".ops.cidr.swp", "garbage"),
            ],
        );
        std::fs::create_dir(dir.0.join("old.d")).expect("sub folder");
        let a = Allowlist::load_dir(&dir.0).expect("loads");
        let files = FileCounts {
            delegated: 0,
            registered: 1,
            asn: 1,
            routing: 1,
            operator: 1,
        };
        assert_eq!(a.stats().files, files);
        let e = judge(&a, "10.0.1.1", true, Reason::RegisteredKzOrigin);
        assert_eq!(
            e.registered[0].source.file.as_ref(),
            dir.0.join("registered-kz.cidr")
        );
    }

    #[test]
    fn load_dir_errors_name_the_file() {
        let dir = TempDir::new("bad", &[("kz.asn", "AS64500\nAS64501 x\nAS-1\n")]);
        let err = Allowlist::load_dir(&dir.0).expect_err("bad ASN");
        let want = format!(
            r#"{}:3: invalid ASN "AS-1": invalid ASN "-1""#,
            dir.0.join("kz.asn").display()
        );
        assert_eq!(err.to_string(), want);
        assert!(matches!(err, AllowlistError::Parse { line: 3, .. }));

        let missing = dir.0.join("missing");
        let err = Allowlist::load_dir(&missing).expect_err("no such folder");
        assert!(matches!(&err, AllowlistError::Io { path, .. } if *path == missing));
        assert!(
            err.to_string()
                .starts_with(&format!("{}: ", missing.display())),
            "{err}"
        );

        // A folder whose name selects a format is an error, not silently skipped.
        let dir = TempDir::new("dir", &[]);
        std::fs::create_dir(dir.0.join("nested.cidr")).expect("sub folder");
        let err = Allowlist::load_dir(&dir.0).expect_err("folder named like a source");
        assert!(
            matches!(&err, AllowlistError::Io { path, .. } if path.ends_with("nested.cidr")),
            "{err}"
        );
    }

    #[test]
    fn builder_rejects_bad_typed_input() {
        let mut b = Allowlist::builder();
        let id = b.source(SourceKind::Routing, "synthetic");
        let net: IpNet = "10.0.0.1/8".parse().expect("net");
        let e = b.add_route(id, 7, net, &[1]).expect_err("host bits");
        assert_eq!(
            e.to_string(),
            "synthetic:7: host bits set in 10.0.0.1/8 (the block is 10.0.0.0/8)"
        );
        let e = b.add_route(id, 8, net.trunc(), &[]).expect_err("no origin");
        assert_eq!(
            e.to_string(),
            "synthetic:8: invalid origins [] for 10.0.0.0/8"
        );
        let e = b.add_kz_asns(id, 9, u32::MAX, 2).expect_err("overflow");
        assert_eq!(
            e.to_string(),
            "synthetic:9: invalid ASN range: 2 from 4294967295"
        );
        assert!(b.add_kz_asns(id, 10, 0, 1).is_err());
        assert!(b.add_kz_asns(id, 11, 1, 0).is_err());
    }
}
