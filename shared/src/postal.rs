//! Postal-code formats per country, so a shopper's typo is caught in the
//! widget before it turns into a wrong delivery promise.
//!
//! A format is a list of shapes: `9` is a digit, `A` a letter, `X` either,
//! anything else itself. Countries without a listed format accept any code the API
//! accepts (see [`crate::query::parse_postal_code`]).

use crate::query::parse_postal_code;

/// The shapes of a country's postal codes; the first one is the hint.
fn shapes(country: &str) -> Option<&'static [&'static str]> {
    Some(match country {
        "US" => &["99999", "99999-9999"],
        "DE" | "FR" | "ES" | "IT" | "FI" | "MX" => &["99999"],
        "AT" | "CH" | "BE" | "DK" | "NO" | "AU" | "NZ" | "ZA" | "HU" => &["9999"],
        "NL" => &["9999 AA", "9999AA"],
        "PL" => &["99-999"],
        "PT" => &["9999-999"],
        "SE" => &["999 99", "99999"],
        "CZ" | "SK" => &["999 99", "99999"],
        "RU" | "CN" | "IN" | "SG" => &["999999"],
        "JP" => &["999-9999", "9999999"],
        "BR" => &["99999-999", "99999999"],
        "CA" => &["A9A 9A9", "A9A9A9"],
        "GB" => &[
            "A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA",
        ],
        "IE" => &["A99 XXXX", "A99XXXX"],
        _ => return None,
    })
}

/// The shopper's input, trimmed and upper-cased, when it is a valid postal
/// code for `country`.
///
/// ```
/// use upfront_shared::postal::normalize_postal_code;
/// assert_eq!(normalize_postal_code("DE", " 10115 ").as_deref(), Some("10115"));
/// assert_eq!(normalize_postal_code("GB", "sw1a 1aa").as_deref(), Some("SW1A 1AA"));
/// assert_eq!(normalize_postal_code("DE", "1011"), None);
/// assert_eq!(normalize_postal_code("ZZ", "ABC-12").as_deref(), Some("ABC-12"));
/// ```
pub fn normalize_postal_code(country: &str, input: &str) -> Option<String> {
    let code = input.trim().to_ascii_uppercase();
    let fits = match shapes(country) {
        Some(shapes) => shapes.iter().any(|shape| fits_shape(&code, shape)),
        None => parse_postal_code(&code).is_some(),
    };
    fits.then_some(code)
}

/// A sample code in the country's main shape, for the input's placeholder,
/// e.g. `12345` for DE or `A1A 1A1` for CA.
pub fn postal_code_example(country: &str) -> &'static str {
    match shapes(country) {
        Some(["A9A 9A9", ..]) => "A1A 1A1",
        Some(["A9 9AA", ..]) => "SW1A 1AA",
        Some(["A99 XXXX", ..]) => "D02 X285",
        Some(["9999 AA", ..]) => "1234 AB",
        Some(["99-999"]) => "00-950",
        Some(["9999-999"]) => "1000-001",
        Some(["999 99", ..]) => "123 45",
        Some(["999-9999", ..]) => "100-0001",
        Some(["99999-999", ..]) => "01310-100",
        Some(["999999"]) => "101000",
        Some(["9999"]) => "1010",
        _ => "12345",
    }
}

fn fits_shape(code: &str, shape: &str) -> bool {
    code.len() == shape.len()
        && code.bytes().zip(shape.bytes()).all(|(c, s)| match s {
            b'9' => c.is_ascii_digit(),
            b'A' => c.is_ascii_uppercase(),
            b'X' => c.is_ascii_uppercase() || c.is_ascii_digit(),
            literal => c == literal,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn named_countries() {
        for (country, good, bad) in [
            ("US", "94105-1234", "9410"),
            ("DE", "10115", "101155"),
            ("FR", "75001", "7500A"),
            ("RU", "101000", "10100"),
            ("JP", "100-0001", "100 0001"),
            ("CN", "100000", "10000"),
            ("BR", "01310-100", "0131-0100"),
            ("CA", "K1A 0B1", "K1A 0BB"),
            ("GB", "EC1A 1BB", "EC1A1BBB"),
            ("NL", "1012 AB", "1012 A"),
        ] {
            assert!(
                normalize_postal_code(country, good).is_some(),
                "{country} {good}"
            );
            assert!(
                normalize_postal_code(country, bad).is_none(),
                "{country} {bad}"
            );
        }
    }

    #[test]
    fn every_example_is_valid_for_its_country() {
        for country in [
            "US", "DE", "AT", "NL", "PL", "PT", "SE", "RU", "JP", "BR", "CA", "GB", "IE", "XX",
        ] {
            let example = postal_code_example(country);
            assert_eq!(
                normalize_postal_code(country, example).as_deref(),
                Some(example),
                "{country}"
            );
        }
    }

    proptest! {
        /// Whatever the widget accepts, the API accepts too.
        #[test]
        fn accepted_codes_pass_the_api(country in "(US|DE|GB|JP|BR|CA|XX)", input in "[ -~]{0,14}") {
            if let Some(code) = normalize_postal_code(&country, &input) {
                prop_assert!(parse_postal_code(&code).is_some(), "{code}");
            }
        }
    }
}
