//! The merchant this store belongs to: its settings and its API keys, of
//! which only hashes are kept (see `shared::keys`).

use serde::{Deserialize, Serialize};
use upfront_shared::accounts::{
    ApiKey, CreateMerchant, CreatedMerchant, IssuedKey, KeyList, NewKey,
};
use upfront_shared::keys::{self, KeyKind, Scope};
use upfront_shared::merchant::{MerchantConfig, Settings, SettingsPatch};
use worker::{Error, Result, SqlStorage};

use super::{Store, random_hex, timestamp};

/// A key's use is recorded at most once a minute: `last_used_at` is for
/// spotting dead keys, and a write per request would cost every read.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// What a working key grants, as the Worker caches it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyGrant {
    pub merchant: MerchantConfig,
    pub key_id: String,
    pub kind: KeyKind,
    pub scopes: Vec<Scope>,
    /// Set during a roll's grace period: the key stops working then.
    pub expires_at_ms: Option<i64>,
    /// The store's key for promise tokens (never shown to anyone).
    pub promise_key: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CreateOutcome {
    Created { created: Box<CreatedMerchant> },
    Exists,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum KeyOutcome {
    Issued { issued: IssuedKey },
    Revoked { key: ApiKey },
    UnknownKey,
    SecretKeyNotRevocable,
}

#[derive(Deserialize)]
struct MerchantRow {
    config: String,
    shopify_secrets: String,
}

#[derive(Deserialize)]
struct KeyRow {
    id: String,
    kind: String,
    scopes: String,
    prefix: String,
    last4: String,
    name: Option<String>,
    created_at_ms: i64,
    last_used_ms: Option<i64>,
    expires_at_ms: Option<i64>,
}

impl KeyRow {
    fn kind(&self) -> Result<KeyKind> {
        serde_json::from_value(serde_json::Value::String(self.kind.clone()))
            .map_err(|e| Error::RustError(e.to_string()))
    }

    fn scopes(&self) -> Result<Vec<Scope>> {
        serde_json::from_str(&self.scopes).map_err(|e| Error::RustError(e.to_string()))
    }

    fn public(&self) -> Result<ApiKey> {
        Ok(ApiKey {
            id: self.id.clone(),
            kind: self.kind()?,
            prefix: self.prefix.clone(),
            last4: self.last4.clone(),
            scopes: self.scopes()?,
            name: self.name.clone(),
            created_at: timestamp(self.created_at_ms)?,
            last_used_at: self.last_used_ms.map(timestamp).transpose()?,
            expires_at: self.expires_at_ms.map(timestamp).transpose()?,
        })
    }
}

const KEY_COLUMNS: &str =
    "id, kind, scopes, prefix, last4, name, created_at_ms, last_used_ms, expires_at_ms";

impl Store {
    /// Creates the merchant and its first publishable and secret keys
    /// (imported ones when the request carries them, already checked).
    pub(super) fn create_merchant(
        &self,
        id: &str,
        request: CreateMerchant,
        now_ms: i64,
    ) -> Result<CreateOutcome> {
        if self.merchant_exists()? {
            return Ok(CreateOutcome::Exists);
        }
        self.ensure_schema()?;
        let mut config = MerchantConfig::new(
            id.to_owned(),
            request.mode,
            request.display_name.trim().to_owned(),
        );
        let patch = request.settings.unwrap_or_default();
        patch.apply_to(&mut config);
        let secrets = patch.shopify_webhook_secrets.clone().unwrap_or_default();
        let sql = self.sql.clone();
        let imported = request.import_keys;
        let created = self.atomically(move || {
            sql.exec(
                "INSERT INTO merchant (id, config, shopify_secrets, created_at_ms) VALUES (?, ?, ?, ?)",
                vec![
                    config.id.as_str().into(),
                    serde_json::to_string(&config)?.into(),
                    serde_json::to_string(&secrets)?.into(),
                    (now_ms as f64).into(),
                ],
            )?;
            let issue = |kind, imported: Option<&String>| {
                issue_key(&sql, &config, kind, &[], None, now_ms, imported.map(String::as_str))
            };
            let publishable = issue(KeyKind::Publishable, imported.as_ref().map(|k| &k.publishable))?;
            let secret = issue(KeyKind::Secret, imported.as_ref().map(|k| &k.secret))?;
            Ok(CreatedMerchant {
                settings: Settings::of(&config, &secrets),
                publishable_key: publishable,
                secret_key: secret,
            })
        })?;
        self.exists.set(true);
        if request.catalogue.is_some() {
            self.seed_demo_catalogue(now_ms)?;
        }
        Ok(CreateOutcome::Created {
            created: Box::new(created),
        })
    }

    /// The working key whose hash is `key_hash`, with its merchant.
    pub(super) fn authenticate(&self, key_hash: &str, now_ms: i64) -> Result<Option<KeyGrant>> {
        let rows: Vec<KeyRow> = self
            .sql
            .exec(
                &format!(
                    "SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = ? \
                     AND (expires_at_ms IS NULL OR expires_at_ms > ?)"
                ),
                vec![key_hash.into(), (now_ms as f64).into()],
            )?
            .to_array()?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        if row
            .last_used_ms
            .is_none_or(|used| now_ms - used >= LAST_USED_RESOLUTION_MS)
        {
            self.sql.exec(
                "UPDATE api_keys SET last_used_ms = ? WHERE id = ?",
                vec![(now_ms as f64).into(), row.id.as_str().into()],
            )?;
        }
        Ok(Some(KeyGrant {
            merchant: self.merchant_config()?.0,
            kind: row.kind()?,
            scopes: row.scopes()?,
            expires_at_ms: row.expires_at_ms,
            key_id: row.id,
            promise_key: self.promise_key()?,
        }))
    }

    pub(super) fn merchant_config(&self) -> Result<(MerchantConfig, Vec<String>)> {
        let row: MerchantRow = self
            .sql
            .exec("SELECT config, shopify_secrets FROM merchant", None)?
            .one()?;
        Ok((
            serde_json::from_str(&row.config)?,
            serde_json::from_str(&row.shopify_secrets)?,
        ))
    }

    pub(super) fn settings(&self) -> Result<Settings> {
        let (config, secrets) = self.merchant_config()?;
        Ok(Settings::of(&config, &secrets))
    }

    /// Applies a validated patch.
    pub(super) fn update_settings(&self, patch: &SettingsPatch) -> Result<Settings> {
        let (mut config, mut secrets) = self.merchant_config()?;
        patch.apply_to(&mut config);
        if let Some(new) = &patch.shopify_webhook_secrets {
            secrets = new.clone();
        }
        self.sql.exec(
            "UPDATE merchant SET config = ?, shopify_secrets = ?",
            vec![
                serde_json::to_string(&config)?.into(),
                serde_json::to_string(&secrets)?.into(),
            ],
        )?;
        Ok(Settings::of(&config, &secrets))
    }

    pub(super) fn shopify_secrets(&self) -> Result<Vec<String>> {
        Ok(self.merchant_config()?.1)
    }

    /// Every working key, oldest first; expired ones are deleted on the way.
    pub(super) fn list_keys(&self, now_ms: i64) -> Result<KeyList> {
        self.sql.exec(
            "DELETE FROM api_keys WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ?",
            vec![(now_ms as f64).into()],
        )?;
        let rows: Vec<KeyRow> = self
            .sql
            .exec(
                &format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at_ms, rowid"),
                None,
            )?
            .to_array()?;
        Ok(KeyList {
            data: rows.iter().map(KeyRow::public).collect::<Result<_>>()?,
        })
    }

    /// A new publishable or restricted key (validated).
    pub(super) fn create_key(&self, request: &NewKey, now_ms: i64) -> Result<KeyOutcome> {
        let (config, _) = self.merchant_config()?;
        let mut scopes = request.scopes.clone();
        scopes.sort();
        scopes.dedup();
        let issued = issue_key(
            &self.sql,
            &config,
            request.kind,
            &scopes,
            request.name.as_deref(),
            now_ms,
            None,
        )?;
        Ok(KeyOutcome::Issued { issued })
    }

    /// Replaces a working key by a new one of the same kind and scopes; the
    /// old one works `grace_seconds` longer (never longer than it would
    /// have), or stops at once.
    pub(super) fn roll_key(&self, id: &str, grace_seconds: i64, now_ms: i64) -> Result<KeyOutcome> {
        let Some(old) = self.working_key(id, now_ms)? else {
            return Ok(KeyOutcome::UnknownKey);
        };
        let (config, _) = self.merchant_config()?;
        let sql = self.sql.clone();
        let id = id.to_owned();
        self.atomically(move || {
            let issued = issue_key(
                &sql,
                &config,
                old.kind()?,
                &old.scopes()?,
                old.name.as_deref(),
                now_ms,
                None,
            )?;
            let until = now_ms + grace_seconds * 1000;
            if grace_seconds == 0 {
                sql.exec("DELETE FROM api_keys WHERE id = ?", vec![id.as_str().into()])?;
            } else {
                sql.exec(
                    "UPDATE api_keys SET expires_at_ms = min(coalesce(expires_at_ms, ?), ?) WHERE id = ?",
                    vec![(until as f64).into(), (until as f64).into(), id.as_str().into()],
                )?;
            }
            Ok(KeyOutcome::Issued { issued })
        })
    }

    /// Deletes a publishable or restricted key; the secret key is only
    /// ever rolled, so the merchant is never locked out.
    pub(super) fn revoke_key(&self, id: &str, now_ms: i64) -> Result<KeyOutcome> {
        let Some(row) = self.working_key(id, now_ms)? else {
            return Ok(KeyOutcome::UnknownKey);
        };
        let key = row.public()?;
        if key.kind == KeyKind::Secret {
            return Ok(KeyOutcome::SecretKeyNotRevocable);
        }
        self.sql
            .exec("DELETE FROM api_keys WHERE id = ?", vec![id.into()])?;
        Ok(KeyOutcome::Revoked { key })
    }

    fn working_key(&self, id: &str, now_ms: i64) -> Result<Option<KeyRow>> {
        Ok(self
            .sql
            .exec(
                &format!(
                    "SELECT {KEY_COLUMNS} FROM api_keys WHERE id = ? \
                     AND (expires_at_ms IS NULL OR expires_at_ms > ?)"
                ),
                vec![id.into(), (now_ms as f64).into()],
            )?
            .to_array::<KeyRow>()?
            .into_iter()
            .next())
    }
}

/// Makes a key (or takes the imported one), stores its hash and shows it.
fn issue_key(
    sql: &SqlStorage,
    merchant: &MerchantConfig,
    kind: KeyKind,
    scopes: &[Scope],
    name: Option<&str>,
    now_ms: i64,
    imported: Option<&str>,
) -> Result<IssuedKey> {
    let secret = match imported {
        Some(key) => key.to_owned(),
        None => keys::compose(
            kind,
            merchant.mode,
            &merchant.id,
            &random_hex(sql, (keys::SECRET_HEX_LEN / 2) as u8)?,
        ),
    };
    let id = format!("key_{}", random_hex(sql, 12)?);
    let key = ApiKey {
        id,
        kind,
        prefix: keys::display_prefix(&secret),
        last4: keys::last4(&secret),
        scopes: scopes.to_vec(),
        name: name.map(str::to_owned),
        created_at: timestamp(now_ms)?,
        last_used_at: None,
        expires_at: None,
    };
    let kind_name = serde_json::to_value(kind)?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    sql.exec(
        "INSERT INTO api_keys (id, hash, kind, scopes, prefix, last4, name, created_at_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            key.id.as_str().into(),
            keys::hash(&secret).into(),
            kind_name.into(),
            serde_json::to_string(scopes)?.into(),
            key.prefix.as_str().into(),
            key.last4.as_str().into(),
            name.into(),
            (now_ms as f64).into(),
        ],
    )?;
    Ok(IssuedKey { key, secret })
}
