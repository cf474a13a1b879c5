//! Validation of `POST /v1/availability/batch`: the request as a whole, then
//! each item on its own, so one bad item never fails the others.

use crate::api::{BatchItem, BatchRequest};
use crate::error::{ErrorBody, ErrorCode, ErrorDetail};
use crate::query::{AvailabilityQuery, MAX_QTY, parse_availability_query};
use crate::sku::is_valid_sku;

/// The most SKUs one batch may ask about.
pub const MAX_BATCH_ITEMS: usize = 100;

/// Checks the item count and the shared destination, returning the query
/// every item is answered with (its `qty` is replaced per item).
pub fn validate_batch(request: &BatchRequest) -> Result<AvailabilityQuery, ErrorBody> {
    if request.items.is_empty() || request.items.len() > MAX_BATCH_ITEMS {
        return Err(ErrorBody::new(
            ErrorCode::InvalidRequest,
            "items must hold 1 to 100 entries",
        )
        .with_param("items"));
    }
    let pairs = [
        ("country", &request.country),
        ("postal_code", &request.postal_code),
        ("locale", &request.locale),
        ("currency", &request.currency),
    ];
    parse_availability_query(
        pairs
            .iter()
            .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v))),
    )
    .map_err(|mut body| {
        body.error.code = ErrorCode::InvalidRequest;
        body
    })
}

/// The item's quantity, or why this one item cannot be answered.
pub fn item_qty(item: &BatchItem) -> Result<u32, ErrorDetail> {
    if !is_valid_sku(&item.sku) {
        return Err(detail(
            "sku must be 1-64 characters of A-Z a-z 0-9 . _ -",
            "sku",
        ));
    }
    match item.qty {
        None => Ok(1),
        Some(q) if (1..=i64::from(MAX_QTY)).contains(&q) => Ok(q as u32),
        Some(_) => Err(detail("qty must be an integer from 1 to 10000", "qty")),
    }
}

fn detail(message: &str, param: &str) -> ErrorDetail {
    ErrorBody::new(ErrorCode::InvalidRequest, message)
        .with_param(param)
        .error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(items: usize) -> BatchRequest {
        BatchRequest {
            items: (0..items)
                .map(|i| BatchItem {
                    sku: format!("S{i}"),
                    qty: None,
                })
                .collect(),
            country: Some("DE".into()),
            postal_code: Some("10115".into()),
            locale: None,
            currency: None,
        }
    }

    #[test]
    fn item_counts() {
        assert!(validate_batch(&request(0)).is_err());
        assert!(validate_batch(&request(1)).is_ok());
        assert!(validate_batch(&request(100)).is_ok());
        assert!(validate_batch(&request(101)).is_err());
    }

    #[test]
    fn destination_is_checked_with_the_query_rules() {
        let mut r = request(1);
        r.country = Some("germany".into());
        let err = validate_batch(&r).expect_err("bad country");
        assert_eq!(err.error.code, ErrorCode::InvalidRequest);
        assert_eq!(err.error.param.as_deref(), Some("country"));
    }

    #[test]
    fn items_fail_alone() {
        assert_eq!(
            item_qty(&BatchItem {
                sku: "A".into(),
                qty: Some(5)
            }),
            Ok(5)
        );
        assert_eq!(
            item_qty(&BatchItem {
                sku: "A".into(),
                qty: None
            }),
            Ok(1)
        );
        assert_eq!(
            item_qty(&BatchItem {
                sku: "A".into(),
                qty: Some(0)
            })
            .map_err(|e| e.param),
            Err(Some("qty".into()))
        );
        assert_eq!(
            item_qty(&BatchItem {
                sku: "a b".into(),
                qty: None
            })
            .map_err(|e| e.param),
            Err(Some("sku".into()))
        );
    }
}
