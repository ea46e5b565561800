//! Domain names as lookup keys: lower-cased wire bytes whose suffixes are the name's ancestors,
//! and the normalisation of names that operators type (Unicode or punycode, any case).
//!
//! The zone index and the policy's name sets are keyed by lower-cased wire-format names. In wire format every ancestor of a
//! name is a suffix of its bytes, so walking from the zone apex down to the query name is a series
//! of hash lookups on slices of one buffer: no allocation per label, case folded once.

use hickory_proto::rr::Name;

/// Longest name on the wire (RFC 1035 §2.3.4), terminating root label included.
const MAX_WIRE: usize = 255;
/// A 255-byte name has at most 127 labels plus the root.
const MAX_LABELS: usize = 128;

/// A lower-cased wire-format name with the offset at which each label starts.
pub struct WireName {
    buf: [u8; MAX_WIRE],
    len: usize,
    /// `starts[i]` is the offset of the i-th label from the left; `starts[labels]` is the root's.
    starts: [u8; MAX_LABELS],
    labels: usize,
}

impl WireName {
    /// Encodes `name`; `None` when it is longer than the wire format allows (it cannot be in any
    /// of our zones then).
    pub fn new(name: &Name) -> Option<Self> {
        let mut this = Self {
            buf: [0; MAX_WIRE],
            len: 0,
            starts: [0; MAX_LABELS],
            labels: 0,
        };
        for label in name.iter() {
            let end = this.len + 1 + label.len();
            if end >= MAX_WIRE || this.labels >= MAX_LABELS - 1 {
                return None;
            }
            this.starts[this.labels] = this.len as u8;
            this.labels += 1;
            this.buf[this.len] = label.len() as u8;
            for (dst, src) in this.buf[this.len + 1..end].iter_mut().zip(label) {
                *dst = src.to_ascii_lowercase();
            }
            this.len = end;
        }
        // The root label: ancestor(0).
        this.starts[this.labels] = this.len as u8;
        this.buf[this.len] = 0;
        this.len += 1;
        Some(this)
    }

    /// Number of labels, root not counted (`kz.` has 1).
    pub fn num_labels(&self) -> usize {
        self.labels
    }

    /// The whole name's key.
    pub fn key(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The key of the ancestor made of the rightmost `n` labels (`n <= num_labels()`).
    pub fn ancestor(&self, n: usize) -> &[u8] {
        let start = self.starts[self.labels - n.min(self.labels)];
        &self.buf[usize::from(start)..self.len]
    }
}

/// A domain as stored in policy lists: its lower-cased wire bytes only (half the size of a
/// `Name`, and exactly the lookup key), turned back into text when shown.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainKey(Box<[u8]>);

impl DomainKey {
    pub fn from_name(name: &Name) -> Option<Self> {
        key_of(name).map(Self)
    }

    /// The wire bytes (the key of [`WireName::key`]).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Labels, root not counted.
    pub fn num_labels(&self) -> usize {
        self.labels().count()
    }

    fn labels(&self) -> impl Iterator<Item = &[u8]> {
        let mut rest = &self.0[..];
        std::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            if len == 0 || tail.len() < usize::from(len) {
                return None;
            }
            let (label, next) = tail.split_at(usize::from(len));
            rest = next;
            Some(label)
        })
    }

    pub fn to_name(&self) -> Name {
        let mut name = Name::from_labels(self.labels()).unwrap_or_else(|_| Name::root());
        name.set_fqdn(true);
        name
    }

    /// Punycode, with the trailing dot: `xn--80ao21a.`.
    pub fn to_ascii(&self) -> String {
        self.to_name().to_ascii()
    }

    /// Unicode where the labels are punycode: `қаз.`.
    pub fn to_utf8(&self) -> String {
        self.to_name().to_utf8()
    }
}

impl std::fmt::Display for DomainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_ascii())
    }
}

impl std::fmt::Debug for DomainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DomainKey({})", self.to_ascii())
    }
}

/// A name an operator typed (`Пример.ҚАЗ`, `shop.KZ.`, `xn--80ao21a`), as an absolute,
/// punycoded, lower-case name; `Err` says why it is not a domain name.
pub fn normalize(input: &str) -> Result<Name, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed == "." {
        return Err("empty domain name".into());
    }
    if trimmed.contains(char::is_whitespace) {
        return Err(format!("{trimmed:?} contains white space"));
    }
    // ASCII (punycode) needs no IDNA mapping, which is most of the cost of a 1 M-entry list.
    let parsed = if trimmed.is_ascii() {
        Name::from_ascii(trimmed)
    } else {
        Name::from_utf8(trimmed)
    };
    let mut name = parsed.map_err(|e| format!("{trimmed:?}: {e}"))?;
    name.set_fqdn(true);
    Ok(name.to_lowercase())
}

impl std::fmt::Debug for WireName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WireName({})", self.key().escape_ascii())
    }
}

/// The index key of a name (for building the index, off the query path).
pub fn key_of(name: &Name) -> Option<Box<[u8]>> {
    WireName::new(name).map(|w| w.key().into())
}

/// `*.` prepended to an ancestor key, written into `out`; `None` if it would be too long.
pub fn wildcard_key<'b>(ancestor: &[u8], out: &'b mut [u8; MAX_WIRE]) -> Option<&'b [u8]> {
    let len = ancestor.len() + 2;
    if len > MAX_WIRE {
        return None;
    }
    out[0] = 1;
    out[1] = b'*';
    out[2..len].copy_from_slice(ancestor);
    Some(&out[..len])
}

/// A scratch buffer for [`wildcard_key`].
pub fn scratch() -> [u8; MAX_WIRE] {
    [0; MAX_WIRE]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_are_suffixes() {
        let w = WireName::new(&Name::from_ascii("WWW.Shop.KZ.").unwrap()).unwrap();
        assert_eq!(w.num_labels(), 3);
        assert_eq!(w.key(), b"\x03www\x04shop\x02kz\x00");
        assert_eq!(w.ancestor(3), w.key());
        assert_eq!(w.ancestor(2), b"\x04shop\x02kz\x00");
        assert_eq!(w.ancestor(1), b"\x02kz\x00");
        assert_eq!(w.ancestor(0), b"\x00");
    }

    #[test]
    fn root_and_wildcards() {
        let root = WireName::new(&Name::root()).unwrap();
        assert_eq!(root.key(), b"\x00");
        assert_eq!(root.num_labels(), 0);
        let mut buf = scratch();
        assert_eq!(
            wildcard_key(b"\x02kz\x00", &mut buf).unwrap(),
            b"\x01*\x02kz\x00"
        );
    }

    #[test]
    fn operator_spellings_are_normalised() {
        for spelling in ["қаз", "ҚАЗ.", "xn--80ao21a", "XN--80AO21A."] {
            assert_eq!(
                normalize(spelling).unwrap().to_ascii(),
                "xn--80ao21a.",
                "{spelling}"
            );
        }
        assert_eq!(normalize(" Shop.KZ ").unwrap().to_ascii(), "shop.kz.");
        assert!(normalize("").is_err());
        assert!(normalize("a b.kz").is_err());
    }

    #[test]
    fn domain_keys_round_trip() {
        let name = normalize("Пример.ҚАЗ").unwrap();
        let key = DomainKey::from_name(&name).unwrap();
        assert_eq!(key.to_name(), name);
        assert_eq!(key.num_labels(), 2);
        assert_eq!(key.to_string(), "xn--e1afmkfd.xn--80ao21a.");
        assert_eq!(key.to_utf8(), "пример.қаз.");
        assert_eq!(key.as_bytes(), WireName::new(&name).unwrap().key());
    }

    #[test]
    fn case_is_folded() {
        let a = key_of(&Name::from_ascii("NIC.kz.").unwrap()).unwrap();
        let b = key_of(&Name::from_ascii("nic.KZ").unwrap()).unwrap();
        assert_eq!(a, b);
    }
}
