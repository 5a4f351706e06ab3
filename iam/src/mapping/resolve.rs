//! What an event source and name resolve to (the IAM prefix, the catalog's actions with their
//! plans, the tagging action of a create), resolved once per pair and remembered per thread.

use std::cell::RefCell;
use std::rc::Rc;

use super::names::{RequestBits, action_names, request_bits};
use super::plan::ActionPlan;
use super::request::Params;
use super::{NO_PERMISSION, prefix_of, strip_version};
use crate::catalog::Catalog;
use crate::renames;
use compact_str::CompactString;

/// What an event source and name resolve to: the IAM prefix and the catalog's actions, or
/// the reason no permission is needed.
pub(super) enum Resolved {
    NoPermission(&'static str),
    Names {
        prefix: CompactString,
        names: Vec<Name>,
        /// The tagging action a create needs when its request carries tags
        /// (`renames::tag_on_create`).
        tagging: Option<Box<(renames::TagOnCreate, Name)>>,
    },
}

/// One action an event resolves to, with what the mapping reads of it for every event (kept
/// here, beside the key that found it, rather than behind the catalog's action).
pub(super) struct Name {
    /// Inline (prefixes and action names are short): read for every event.
    pub(super) prefix: CompactString,
    pub(super) name: CompactString,
    /// The catalog's action; `None` when the catalog does not know it.
    pub(super) known: Option<Known>,
}

/// What the mapping reads of a catalog action for every event, copied beside the key that
/// found it: its plan, with the plan's resource types and their variables inline, lies in a
/// few adjacent cache lines. Reached through the catalog, through a list of types, through a
/// list of variables, it was a chain of cache misses for every event.
pub(super) struct Known {
    /// `prefix:Name`.
    pub(super) full: &'static str,
    pub(super) plan: ActionPlan,
    pub(super) access_level: &'static str,
}

impl Resolved {
    fn resolve(source: &str, name: &str, params: &Params<'_>) -> Resolved {
        let prefix = prefix_of(source);
        if let Some((_, _, why)) = NO_PERMISSION.iter().find(|(p, n, _)| *p == prefix && *n == name) {
            return Resolved::NoPermission(why);
        }
        if let Some(why) = renames::unsigned(source, name) {
            return Resolved::NoPermission(why);
        }
        let catalog = Catalog::get();
        let names = action_names(prefix, name, params)
            .into_iter()
            .map(|(p, n)| Name {
                prefix: p.into(),
                name: n.into(),
                known: catalog.action(p, n).map(|a| Known {
                    full: a.full_name(),
                    plan: ActionPlan::of(a).clone(),
                    access_level: a.access_level,
                }),
            })
            .collect();
        let tagging = renames::tag_on_create(prefix, strip_version(name).unwrap_or(name)).and_then(|rule| {
            let (p, n) = rule.action.split_once(':')?;
            let a = catalog.action(p, n)?;
            let known = Known { full: a.full_name(), plan: ActionPlan::of(a).clone(), access_level: a.access_level };
            Some(Box::new((rule, Name { prefix: p.into(), name: n.into(), known: Some(known) })))
        });
        Resolved::Names { prefix: prefix.into(), names, tagging }
    }

    /// Resolved once per source and name and remembered (a few hundred pairs make up a trail;
    /// the lookups were a tenth of the mapping's time). Names that also depend on the request
    /// (S3's, API Gateway's TagResource) are remembered per `request_bits` as well.
    pub(super) fn of(source: &str, name: &str, params: &Params<'_>) -> Rc<Resolved> {
        enum Memo {
            One(Rc<Resolved>),
            /// By the request's bits.
            ByRequest(RequestBits, [Option<Rc<Resolved>>; 4]),
        }
        /// A key held in the table itself: the source's length, the source, the name, padded,
        /// and the length of all in the last byte (pairs of up to 62 bytes, nearly all). A key
        /// behind a pointer, as in the table of longer ones, cost a cache miss per event.
        type Short = [u8; 64];
        type Memos = (hashbrown::HashMap<Short, Memo>, hashbrown::HashMap<Vec<u8>, Memo>);
        thread_local! {
            static MEMO: RefCell<Memos> = RefCell::default();
        }
        fn memoized<K: std::hash::Hash + Eq>(
            memo: &mut hashbrown::HashMap<K, Memo>,
            key: K,
            source: &str,
            name: &str,
            params: &Params<'_>,
        ) -> Rc<Resolved> {
            match memo.get_mut(&key) {
                Some(Memo::One(r)) => return Rc::clone(r),
                Some(Memo::ByRequest(bits, by_request)) => {
                    let slot = &mut by_request[bits(params) & 3];
                    return Rc::clone(slot.get_or_insert_with(|| Rc::new(Resolved::resolve(source, name, params))));
                }
                None => {}
            }
            let r = Rc::new(Resolved::resolve(source, name, params));
            if renames::BY_REQUEST.contains(&(prefix_of(source), name)) {
                // The actions follow from the whole request (DynamoDB's PartiQL verbs, a
                // transaction's items): resolved for every call, never remembered.
                return r;
            }
            if memo.len() >= 4096 {
                memo.clear();
            }
            let entry = match request_bits(source, name) {
                Some(bits) => {
                    let mut by_request = [None, None, None, None];
                    by_request[bits(params) & 3] = Some(Rc::clone(&r));
                    Memo::ByRequest(bits, by_request)
                }
                None => Memo::One(Rc::clone(&r)),
            };
            memo.insert(key, entry);
            r
        }
        MEMO.with_borrow_mut(|(short, long)| {
            let len = source.len() + name.len();
            if len < 63 {
                let mut key: Short = [0; 64];
                key[0] = source.len() as u8;
                key[1..1 + source.len()].copy_from_slice(source.as_bytes());
                key[1 + source.len()..1 + len].copy_from_slice(name.as_bytes());
                key[63] = len as u8;
                return memoized(short, key, source, name, params);
            }
            // The source's length first, so that no two pairs make the same key.
            let mut key = source.len().to_le_bytes().to_vec();
            key.extend_from_slice(source.as_bytes());
            key.extend_from_slice(name.as_bytes());
            memoized(long, key, source, name, params)
        })
    }
}
