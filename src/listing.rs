//! Paged listing of auth identities with a bound on store reads per page (the admin API's
//! `GET /admin/auth-identities`, `docs/http-api.md#admin-api`): Workers allow 1,000 KV operations per
//! invocation, so one page reads at most [`MAX_SCANNED`] records and says where to go on.

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::identity::{Identities, IdentityError};
use crate::model::{AuthIdentity, AuthIdentityFilter};
use crate::service::AuthModuleService;
use crate::store::keys;

/// Identities per page when the request names no `limit`.
pub const DEFAULT_LIMIT: usize = 20;
/// The largest `limit` a page may ask for (and the most ids one direct lookup reads).
pub const MAX_LIMIT: usize = 100;
/// Records one page may read: Workers allow 1000 KV operations per invocation.
pub const MAX_SCANNED: usize = 200;
/// Keys per KV list call. Fixed: a cursor points into a page of exactly this size.
const LIST_PAGE: u32 = 100;

/// Where a listing resumes: the KV cursor of the page (none: the first) and how many of its keys were
/// already looked at. Opaque to clients: base64url of `<skip>` or `<skip>:<page cursor>`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cursor {
    page: Option<String>,
    skip: usize,
}

impl Cursor {
    /// The opaque text a client sends back.
    pub fn encode(&self) -> String {
        let text = match &self.page {
            Some(page) => format!("{}:{page}", self.skip),
            None => self.skip.to_string(),
        };
        B64URL.encode(text)
    }

    /// `None` for anything [`Cursor::encode`] did not make.
    pub fn decode(s: &str) -> Option<Self> {
        let text = String::from_utf8(B64URL.decode(s).ok()?).ok()?;
        let (skip, page) = match text.split_once(':') {
            Some((skip, page)) => (skip, Some(page.to_owned())),
            None => (text.as_str(), None),
        };
        Some(Self {
            page,
            skip: skip.parse().ok()?,
        })
    }
}

/// One page's request: what to match, at most how many, from where.
#[derive(Debug, Clone, Default)]
pub struct PageQuery {
    /// What to match.
    pub filter: AuthIdentityFilter,
    /// 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// Where the page starts.
    pub cursor: Cursor,
}

/// The identities of one page (password hashes removed) and where the next starts (`None`: the end).
#[derive(Debug, Clone)]
pub struct Page {
    /// The matches of this page.
    pub identities: Vec<AuthIdentity>,
    /// Where the next page starts; `None` at the end.
    pub next: Option<Cursor>,
}

impl AuthModuleService {
    /// One page of the identities `query` matches, in key order. A page may hold fewer than `limit`
    /// identities (it reads at most [`MAX_SCANNED`] records): go on while `next` is not `None`.
    pub async fn list_auth_identities_page(
        &self,
        query: &PageQuery,
    ) -> Result<Page, IdentityError> {
        let identities = Identities::new(self.store());
        let (found, next) = match direct_lookup(&identities, query).await {
            Some(found) => (found?, None),
            None => scan(&identities, self.store(), query).await?,
        };
        Ok(Page {
            identities: found.iter().map(AuthIdentity::sanitized).collect(),
            next,
        })
    }
}

/// Filters that name an identity (by id, or by provider and entity) are answered from its keys, without
/// a scan. `None`: the filter needs a scan.
async fn direct_lookup(
    identities: &Identities<'_>,
    q: &PageQuery,
) -> Option<Result<Vec<AuthIdentity>, IdentityError>> {
    let by_entity = q
        .filter
        .provider_identities
        .as_ref()
        .and_then(|m| Some((m.provider.as_deref()?, m.entity_id.as_deref()?)));
    let candidates = if let Some((provider, entity_id)) = by_entity {
        identities
            .find_by_entity(provider, entity_id)
            .await
            .map(|i| i.into_iter().collect())
    } else if let Some(ids) = q.filter.id.as_ref().filter(|ids| ids.len() <= MAX_LIMIT) {
        let mut found = Vec::new();
        for id in ids {
            match identities.get(id).await {
                Ok(Some(identity)) => found.push(identity),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        Ok(found)
    } else {
        return None;
    };
    if q.cursor != Cursor::default() {
        // One page holds every match of a direct lookup.
        return Some(Ok(Vec::new()));
    }
    Some(candidates.map(|c| {
        c.into_iter()
            .filter(|i| q.filter.matches(i))
            .take(q.limit)
            .collect()
    }))
}

async fn scan(
    identities: &Identities<'_>,
    store: &dyn crate::store::KvStore,
    q: &PageQuery,
) -> Result<(Vec<AuthIdentity>, Option<Cursor>), IdentityError> {
    let mut out = Vec::new();
    let mut page_cursor = q.cursor.page.clone();
    let mut skip = q.cursor.skip;
    let mut scanned = 0;
    loop {
        let page = store
            .list(
                keys::AUTH_IDENTITY_PREFIX,
                page_cursor.as_deref(),
                LIST_PAGE,
            )
            .await?;
        for (i, key) in page.keys.iter().enumerate().skip(skip) {
            if out.len() == q.limit || scanned == MAX_SCANNED {
                return Ok((
                    out,
                    Some(Cursor {
                        page: page_cursor,
                        skip: i,
                    }),
                ));
            }
            scanned += 1;
            let Some(id) = keys::auth_identity_id_from_key(key) else {
                continue;
            };
            if let Some(identity) = identities.get(id).await?
                && q.filter.matches(&identity)
            {
                out.push(identity);
            }
        }
        match page.cursor {
            Some(next) => {
                page_cursor = Some(next);
                skip = 0;
            }
            None => return Ok((out, None)),
        }
    }
}

/// The listing cursor, which clients send back: any text is decoded or refused without panicking, and
/// every cursor we issue decodes to itself.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::b64::URL_SAFE_NO_PAD as B64URL;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn any_cursor_text_is_decoded_or_refused(text in any::<String>()) {
            let _ = Cursor::decode(&text);
        }

        #[test]
        fn any_base64url_cursor_is_decoded_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Cursor::decode(&B64URL.encode(bytes));
        }

        #[test]
        fn issued_cursors_decode_to_themselves(page in proptest::option::of(any::<String>()), skip in any::<usize>()) {
            let cursor = Cursor { page, skip };
            prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
    }
}
