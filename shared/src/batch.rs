//! Validation of the batch reads, `POST /v1/availability/batch` and its
//! `GET /v1/availability?skus=…` form: the request as a whole, then each
//! item on its own, so one bad item never fails the others.

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

/// `GET /v1/availability?skus=A,B,C&qty=&country=&postal_code=&locale=`
/// as the batch it stands for: a page's widgets in one request that needs
/// no CORS preflight. `skus` holds 1 to 100 comma-separated SKUs, and `qty`
/// applies to each. A malformed SKU fails alone, as in the `POST` form;
/// anything else wrong fails the request (`invalid_parameter`), as for a
/// single read.
///
/// ```
/// use upfront_shared::batch::batch_from_query;
/// let batch = batch_from_query([("skus", "MUG,LAMP"), ("qty", "2"), ("country", "DE")]).unwrap();
/// assert_eq!(batch.items.len(), 2);
/// assert_eq!(batch.items[1].qty, Some(2));
/// assert!(batch_from_query([("country", "DE")]).is_err());
/// assert!(batch_from_query([("skus", "A,,B")]).is_err());
/// ```
pub fn batch_from_query<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<BatchRequest, ErrorBody> {
    let invalid =
        |message: &str| ErrorBody::new(ErrorCode::InvalidParameter, message).with_param("skus");
    let mut skus = None;
    let mut rest = Vec::new();
    for (name, value) in pairs {
        match name {
            "skus" if skus.is_some() => {
                return Err(invalid("this parameter was given more than once"));
            }
            "skus" => skus = Some(value),
            _ => rest.push((name, value)),
        }
    }
    let skus = skus.ok_or_else(|| invalid("skus is required: 1 to 100 comma-separated SKUs"))?;
    let list: Vec<&str> = skus.split(',').collect();
    if list.len() > MAX_BATCH_ITEMS || list.iter().any(|s| s.is_empty()) {
        return Err(invalid("skus is 1 to 100 comma-separated SKUs"));
    }
    let query = parse_availability_query(rest)?;
    Ok(BatchRequest {
        items: list
            .into_iter()
            .map(|sku| BatchItem {
                sku: sku.to_owned(),
                qty: Some(i64::from(query.qty)),
            })
            .collect(),
        country: query.destination.country,
        postal_code: query.destination.postal_code,
        locale: query.locale,
        currency: query.currency,
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
    fn the_get_form_is_the_post_form() {
        let batch = batch_from_query([("skus", "A,b c,C"), ("key", "pk")]).expect("parses");
        assert_eq!(batch.items.len(), 3);
        assert_eq!(item_qty(&batch.items[0]), Ok(1));
        // A malformed SKU fails alone, as in the POST form.
        assert!(item_qty(&batch.items[1]).is_err());
        let hundred = vec!["S"; 100].join(",");
        assert!(batch_from_query([("skus", hundred.as_str())]).is_ok());
        let too_many = vec!["S"; 101].join(",");
        for bad in [
            vec![("skus", too_many.as_str())],
            vec![("skus", "")],
            vec![("skus", "A"), ("skus", "A")],
            vec![("skus", "A"), ("colour", "red")],
            vec![("skus", "A"), ("qty", "0")],
        ] {
            assert!(batch_from_query(bad.clone()).is_err(), "{bad:?}");
        }
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
