//! What `serve` keeps between rebuilds so that saving one post does not parse and
//! highlight all the others again: split front matter and rendered Markdown, keyed
//! by a hash of everything the result depends on. A one-off `build` starts empty and
//! pays only for the hashing.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use super::FrontMatter;
use super::markdown::Rendered;
use crate::lock::unpoisoned;

/// A file's front matter and body, as `front_matter::split` left them.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub front: FrontMatter,
    pub body: String,
    pub body_line: usize,
}

#[derive(Default)]
pub struct Cache {
    parsed: Generations<Arc<Parsed>>,
    markdown: Generations<Rendered>,
    /// Hash of a path → (its file's stamp, the digest of its bytes) when last read.
    stamps: Generations<(u64, u64)>,
}

/// Size, modification and change times, and inode of a file. The change time
/// cannot be set back by any tool, so an equal stamp means an unchanged file; but
/// file times tick in steps of a few milliseconds, so a file changed in the last
/// second (the one being edited) gets no stamp and is always read.
#[cfg(unix)]
pub fn file_stamp(meta: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    let age = std::time::SystemTime::now().duration_since(meta.modified().ok()?);
    if age.ok()? < std::time::Duration::from_secs(1) {
        return None;
    }
    Some(key(&[
        &meta.len(),
        &meta.mtime(),
        &meta.mtime_nsec(),
        &meta.ctime(),
        &meta.ctime_nsec(),
        &meta.ino(),
        &meta.dev(),
    ]))
}

/// Elsewhere files are always read and hashed.
#[cfg(not(unix))]
pub fn file_stamp(_meta: &std::fs::Metadata) -> Option<u64> {
    None
}

impl Cache {
    /// The digest of `path`'s bytes, if its stamp is the one remembered.
    pub fn digest_if_unchanged(&self, path: &std::path::Path, stamp: u64) -> Option<u64> {
        let (kept, digest) = self.stamps.get(key(&[&path.as_os_str()]))?;
        (kept == stamp).then_some(digest)
    }

    pub fn remember_stamp(&self, path: &std::path::Path, stamp: u64, digest: u64) {
        self.stamps.put(key(&[&path.as_os_str()]), (stamp, digest));
    }

    /// The parsed file for a digest, if the cache still has it.
    pub fn parsed_if_kept(&self, digest: u64) -> Option<Arc<Parsed>> {
        self.parsed.get(digest)
    }

    pub fn parsed<E>(
        &self,
        key: u64,
        make: impl FnOnce() -> Result<Parsed, E>,
    ) -> Result<Arc<Parsed>, E> {
        self.parsed.get_or_make(key, || make().map(Arc::new))
    }

    /// The Markdown kept for `key`, if `still_valid` (its links to other files lead
    /// where they did), else made again.
    pub fn markdown<E>(
        &self,
        key: u64,
        still_valid: impl Fn(&Rendered) -> bool,
        make: impl FnOnce() -> Result<Rendered, E>,
    ) -> Result<Rendered, E> {
        match self.markdown.get(key).filter(|md| still_valid(md)) {
            Some(md) => Ok(md),
            None => {
                let md = make()?;
                self.markdown.put(key, md.clone());
                Ok(md)
            }
        }
    }

    /// Call after a build that succeeded: entries it did not use are dropped, so the
    /// cache holds one site's worth, not every version of every file ever saved.
    pub fn finish_build(&self) {
        self.parsed.finish();
        self.markdown.finish();
        self.stamps.finish();
    }

    pub fn entries(&self) -> (usize, usize) {
        (self.parsed.len(), self.markdown.len())
    }
}

/// Entries used by the current build (`new`) and those left from the last good one
/// (`old`). A failed build never calls `finish`, so nothing it skipped is lost.
struct Generations<V> {
    old: Mutex<FastMap<u64, V>>,
    new: Mutex<FastMap<u64, V>>,
}

impl<V> Default for Generations<V> {
    fn default() -> Self {
        Generations {
            old: Mutex::new(FastMap::default()),
            new: Mutex::new(FastMap::default()),
        }
    }
}

impl<V: Clone> Generations<V> {
    fn get_or_make<E>(&self, key: u64, make: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if let Some(v) = unpoisoned(&self.new).get(&key) {
            return Ok(v.clone());
        }
        let kept = unpoisoned(&self.old).remove(&key);
        // `make` runs without a lock held: it is the slow part, and runs in parallel.
        let value = match kept {
            Some(v) => v,
            None => make()?,
        };
        unpoisoned(&self.new).insert(key, value.clone());
        Ok(value)
    }

    /// A hit moves the entry into this build's generation, like `get_or_make`.
    fn get(&self, key: u64) -> Option<V> {
        self.get_or_make(key, || Err(())).ok()
    }

    fn put(&self, key: u64, value: V) {
        unpoisoned(&self.new).insert(key, value);
    }

    fn finish(&self) {
        let mut new = unpoisoned(&self.new);
        // The next build needs about as many: growing the map again would rehash it.
        let fresh = FastMap::with_capacity_and_hasher(new.len(), Default::default());
        let used = std::mem::replace(&mut *new, fresh);
        *unpoisoned(&self.old) = used;
    }

    fn len(&self) -> usize {
        unpoisoned(&self.old).len() + unpoisoned(&self.new).len()
    }
}

/// The hasher of cache keys and page fingerprints. They never leave the process, so
/// speed matters more than stability across versions: std's SipHash was a quarter of
/// the instructions of a one-post rebuild in `serve` (callgrind), most of it hashing
/// page values to see which pages changed.
pub type FastHasher = foldhash::quality::FoldHasher<'static>;

pub fn hasher() -> FastHasher {
    foldhash::quality::FixedState::with_seed(0x5ea_f00d).build_hasher()
}

/// A map keyed by the fast hasher, for maps that never leave the process.
pub type FastMap<K, V> = HashMap<K, V, foldhash::quality::FixedState>;
pub type FastSet<K> = std::collections::HashSet<K, foldhash::quality::FixedState>;

/// A hash of several values, for cache keys.
pub fn key(parts: &[&dyn HashPart]) -> u64 {
    let mut h = hasher();
    for p in parts {
        p.feed(&mut h);
    }
    h.finish()
}

/// Something that can go into a cache key (a trait object, so `key` takes a mix).
pub trait HashPart {
    fn feed(&self, h: &mut FastHasher);
}

impl<T: Hash + ?Sized> HashPart for T {
    fn feed(&self, h: &mut FastHasher) {
        self.hash(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(body: &str) -> Parsed {
        Parsed {
            front: FrontMatter::default(),
            body: body.into(),
            body_line: 1,
        }
    }

    #[test]
    fn a_hit_does_not_call_make_and_unused_entries_go_after_a_good_build() {
        let cache = Cache::default();
        let made = |b: &str| Ok::<_, ()>(parsed(b));
        cache.parsed(1, || made("one")).unwrap();
        cache.parsed(2, || made("two")).unwrap();
        cache.finish_build();
        let again = cache.parsed(1, || Err(())).unwrap();
        assert_eq!(again.body, "one");
        cache.finish_build();
        assert_eq!(cache.entries(), (1, 0));
        assert!(cache.parsed(2, || Err(())).is_err());
    }

    #[test]
    fn a_failed_build_keeps_what_it_did_not_reach() {
        let cache = Cache::default();
        cache.parsed(1, || Ok::<_, ()>(parsed("one"))).unwrap();
        cache.finish_build();
        // A build that fails before reaching key 1 never calls finish_build.
        assert!(cache.parsed(9, || Err(())).is_err());
        assert_eq!(cache.parsed(1, || Err(())).unwrap().body, "one");
    }

    #[test]
    fn keys_differ_when_any_part_differs() {
        assert_ne!(key(&[&"a", &"bc"]), key(&[&"ab", &"c"]));
        assert_eq!(key(&[&"a", &1u8]), key(&[&"a", &1u8]));
    }
}
