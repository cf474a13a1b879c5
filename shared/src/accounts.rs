//! The wire types of onboarding and key management: the operator creates a
//! merchant, the merchant lists, creates, rolls and revokes its keys.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorBody, ErrorCode};
use crate::keys::{self, KeyKind, Mode, Scope};
use crate::merchant::SettingsPatch;

/// `POST /v1/operator/merchants`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateMerchant {
    /// 2 to 32 of `a-z`, `0-9`, `-`, starting with a letter; it appears in
    /// the merchant's keys and webhook URL. Generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub display_name: String,
    #[serde(default)]
    pub mode: Mode,
    /// The first settings (display name aside); see `PATCH /v1/settings`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsPatch>,
    /// Local development only (`DEMO_STORE=on`): take these test keys
    /// instead of generating them, so a demo's documented keys work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_keys: Option<ImportedKeys>,
    /// Local development only: `"demo"` seeds the demo catalogue and its
    /// delivery configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportedKeys {
    pub publishable: String,
    pub secret: String,
}

impl CreateMerchant {
    /// Checks the request against `id`, the merchant id it will get.
    pub fn validate(&self, id: &str) -> Result<(), ErrorBody> {
        let bad = |message: &str, param: &str| {
            ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param)
        };
        if !keys::is_merchant_id(id) {
            return Err(bad(
                "id is 2 to 32 of a-z, 0-9 and -, starting with a letter",
                "id",
            ));
        }
        let name = SettingsPatch {
            display_name: Some(self.display_name.clone()),
            ..SettingsPatch::default()
        };
        name.validate()?;
        if let Some(settings) = &self.settings {
            if settings.display_name.is_some() {
                return Err(bad(
                    "display_name goes at the top level",
                    "settings.display_name",
                ));
            }
            settings.validate()?;
        }
        if let Some(imported) = &self.import_keys {
            for (key, kind, param) in [
                (
                    &imported.publishable,
                    KeyKind::Publishable,
                    "import_keys.publishable",
                ),
                (&imported.secret, KeyKind::Secret, "import_keys.secret"),
            ] {
                let parsed = keys::parse(key);
                if parsed.is_none_or(|p| p.kind != kind || p.mode != Mode::Test || p.merchant != id)
                {
                    return Err(bad(
                        "an imported key is a test key of its kind for this merchant, with 16 to 64 letters and digits after the merchant",
                        param,
                    ));
                }
            }
            if self.mode != Mode::Test {
                return Err(bad("only test merchants take imported keys", "mode"));
            }
        }
        if self.catalogue.as_deref().is_some_and(|c| c != "demo") {
            return Err(bad("the only catalogue is \"demo\"", "catalogue"));
        }
        Ok(())
    }
}

/// A merchant just created, with its first keys: shown once, never again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreatedMerchant {
    pub settings: crate::merchant::Settings,
    pub publishable_key: IssuedKey,
    pub secret_key: IssuedKey,
}

/// `POST /v1/keys`: another publishable key, or a restricted one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// `publishable` or `restricted`; a secret key is only ever rolled.
    pub kind: KeyKind,
    /// A restricted key's scopes (at least one); none for the others.
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// What the key is for, e.g. "warehouse sync"; up to 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl NewKey {
    pub fn validate(&self) -> Result<(), ErrorBody> {
        let bad = |message: &str, param: &str| {
            ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param)
        };
        match self.kind {
            KeyKind::Secret => {
                return Err(bad(
                    "a merchant has one secret key: roll it instead (POST /v1/keys/{key_id}/roll)",
                    "kind",
                ));
            }
            KeyKind::Restricted if self.scopes.is_empty() => {
                return Err(bad("a restricted key needs at least one scope", "scopes"));
            }
            KeyKind::Publishable if !self.scopes.is_empty() => {
                return Err(bad("only restricted keys have scopes", "scopes"));
            }
            _ => {}
        }
        if self
            .name
            .as_ref()
            .is_some_and(|n| n.chars().count() > 100 || n.chars().any(char::is_control))
        {
            return Err(bad(
                "name is up to 100 characters, no control characters",
                "name",
            ));
        }
        Ok(())
    }
}

/// `POST /v1/keys/{key_id}/roll`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RollKey {
    /// How long the old key keeps working: 0 (at once) to 86400 (24 h).
    #[serde(default)]
    pub grace_seconds: i64,
}

/// The longest grace period of a roll: a day.
pub const MAX_GRACE_SECONDS: i64 = 24 * 60 * 60;

impl RollKey {
    pub fn validate(&self) -> Result<(), ErrorBody> {
        if (0..=MAX_GRACE_SECONDS).contains(&self.grace_seconds) {
            Ok(())
        } else {
            Err(ErrorBody::new(
                ErrorCode::InvalidRequest,
                "grace_seconds is 0 to 86400 (24 h)",
            )
            .with_param("grace_seconds"))
        }
    }
}

/// A key as a listing shows it: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApiKey {
    /// `key_…`: names the key in `roll` and `revoke`.
    pub id: String,
    pub kind: KeyKind,
    /// `pk_live_acme`: kind, mode and merchant.
    pub prefix: String,
    pub last4: String,
    pub scopes: Vec<Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub created_at: Timestamp,
    /// To the minute: uses within a minute of the last are not recorded.
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub last_used_at: Option<Timestamp>,
    /// Set by a roll with a grace period: the key stops working then.
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub expires_at: Option<Timestamp>,
}

/// A key just made: the only time its whole text is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IssuedKey {
    pub key: ApiKey,
    /// The key itself. Store it now: only its hash is kept.
    pub secret: String,
}

/// `GET /v1/keys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct KeyList {
    pub data: Vec<ApiKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(id: &str) -> CreateMerchant {
        CreateMerchant {
            id: Some(id.into()),
            display_name: "Acme".into(),
            ..CreateMerchant::default()
        }
    }

    #[test]
    fn imported_keys_must_be_this_merchants_test_keys() {
        let mut request = create("acme");
        request.mode = Mode::Test;
        request.import_keys = Some(ImportedKeys {
            publishable: "pk_test_acme_localonlypublishable".into(),
            secret: "sk_test_acme_localonlysecret0000".into(),
        });
        assert!(request.validate("acme").is_ok());
        assert!(request.validate("other").is_err());
        request.mode = Mode::Live;
        assert!(request.validate("acme").is_err());
        request.mode = Mode::Test;
        request.import_keys = Some(ImportedKeys {
            publishable: "sk_test_acme_localonlypublishable".into(),
            secret: "sk_test_acme_localonlysecret0000".into(),
        });
        assert!(request.validate("acme").is_err());
    }

    #[test]
    fn key_requests() {
        let restricted = NewKey {
            kind: KeyKind::Restricted,
            scopes: vec![],
            name: None,
        };
        assert!(restricted.validate().is_err());
        let secret = NewKey {
            kind: KeyKind::Secret,
            scopes: vec![],
            name: None,
        };
        assert!(secret.validate().is_err());
        assert!(
            RollKey {
                grace_seconds: 86_401
            }
            .validate()
            .is_err()
        );
        assert!(RollKey { grace_seconds: 0 }.validate().is_ok());
    }
}
