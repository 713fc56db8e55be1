//! [`KvStore`] over a Workers KV namespace.

use crate::store::{KeyPage, KvStore, StoreError, keys};
use async_trait::async_trait;
use wasm_bindgen::JsValue;
use worker::kv::{KvError, ToRawKvValue};

pub struct WorkersKv(pub worker::kv::KvStore);

/// A value put as the JavaScript string it is. workers-rs sends a `&str` through its blanket
/// `Serialize` path (serde_wasm_bindgen, then checks for a number or a boolean): work and code
/// (~700 bytes) for a value that is already text.
struct Text<'a>(&'a str);

impl ToRawKvValue for Text<'_> {
    fn raw_kv_value(&self) -> Result<JsValue, KvError> {
        Ok(JsValue::from_str(self.0))
    }
}

fn failed(op: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("KV {op} failed: {e}"))
}

#[async_trait(?Send)]
impl KvStore for WorkersKv {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(key).text().await.map_err(|e| failed("get", e))
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        let mut put = self.0.put(key, Text(value)).map_err(|e| failed("put", e))?;
        if let Some(ttl) = ttl_secs {
            put = put.expiration_ttl(keys::clamp_ttl(ttl));
        }
        put.execute().await.map_err(|e| failed("put", e))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).await.map_err(|e| failed("delete", e))
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        let mut list = self
            .0
            .list()
            .prefix(prefix.to_owned())
            .limit(u64::from(limit));
        if let Some(c) = cursor {
            list = list.cursor(c.to_owned());
        }
        let page = list.execute().await.map_err(|e| failed("list", e))?;
        Ok(KeyPage {
            keys: page.keys.into_iter().map(|k| k.name).collect(),
            cursor: page.cursor.filter(|_| !page.list_complete),
        })
    }
}
