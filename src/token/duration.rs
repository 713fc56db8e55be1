//! Token lifetimes written the way Medusa's `jwtExpiresIn` is: "1d", "10h", "2 days", "1.5h".

use std::fmt;

/// Token lifetimes must be at least this long: anything shorter expires before it can be used.
const MIN_SECS: u64 = 1;
/// And at most this long (ten of `ms`'s 365.25-day years): a longer-lived bearer token is a mistake.
const MAX_SECS: u64 = 10 * YEAR_MS / 1000;
/// `ms` refuses strings longer than this; so do we, which also bounds the arithmetic below.
const MAX_INPUT_CHARS: usize = 100;
/// More decimals than this cannot change a whole-second result and would risk overflow.
const MAX_FRACTION_DIGITS: u32 = 20;

const SECOND_MS: u64 = 1000;
const MINUTE_MS: u64 = 60 * SECOND_MS;
const HOUR_MS: u64 = 60 * MINUTE_MS;
const DAY_MS: u64 = 24 * HOUR_MS;
const WEEK_MS: u64 = 7 * DAY_MS;
/// `ms` defines a year as 365.25 days.
const YEAR_MS: u64 = DAY_MS * 1461 / 4;

/// Unit spellings `ms` accepts, with their length in milliseconds.
const UNITS: &[(&[&str], u64)] = &[
    (&["ms", "msec", "msecs", "millisecond", "milliseconds"], 1),
    (&["s", "sec", "secs", "second", "seconds"], SECOND_MS),
    (&["m", "min", "mins", "minute", "minutes"], MINUTE_MS),
    (&["h", "hr", "hrs", "hour", "hours"], HOUR_MS),
    (&["d", "day", "days"], DAY_MS),
    (&["w", "week", "weeks"], WEEK_MS),
    (&["y", "yr", "yrs", "year", "years"], YEAR_MS),
];

const EXAMPLE: &str = "expected a duration like 1d, 12h or 900s";

/// A token lifetime that could not be read; the text says what was wrong and shows an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DurationError {}

/// Reads a lifetime in the `ms` format Medusa passes to `jsonwebtoken` as `jwtExpiresIn`, in whole
/// seconds (rounded down).
///
/// Accepts a non-negative decimal ("15", "1.5", ".5"), optional spaces, then a unit, case-insensitive:
/// ms/msec(s)/millisecond(s), s/sec(s)/second(s), m/min(s)/minute(s), h/hr(s)/hour(s), d/day(s),
/// w/week(s), y/yr(s)/year(s) (a year is 365.25 days). Examples: "1d", "10h", "2 days", "1.5h", "2w".
///
/// Unlike `ms`, a bare number is refused: `jsonwebtoken` reads the string "120" as 120 milliseconds,
/// a silent footgun. The result must lie between 1 second and 10 years.
pub fn parse_duration_secs(s: &str) -> Result<u64, DurationError> {
    let input = s.trim();
    if input.is_empty() || input.chars().count() > MAX_INPUT_CHARS {
        return Err(expected(s));
    }
    if input.starts_with('-') {
        return Err(DurationError(format!(
            "token lifetime cannot be negative; {EXAMPLE}, got {s:?}"
        )));
    }

    let number_end = input
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(input.len());
    let (number, rest) = input.split_at(number_end);
    let unit = rest.trim_start_matches(' ');
    let (mantissa, scale) = parse_decimal(number).ok_or_else(|| expected(s))?;
    if unit.is_empty() {
        return Err(DurationError(format!(
            "a bare number is ambiguous (jsonwebtoken reads \"120\" as 120 milliseconds); \
             add a unit, e.g. 120s or 2m, got {s:?}"
        )));
    }
    let unit_ms = unit_ms(unit).ok_or_else(|| expected(s))?;

    // secs = mantissa / 10^scale * unit_ms / 1000, in exact integers so "1.5h" is 5400, not 5399.
    let too_long = || {
        DurationError(format!(
            "token lifetime must be at most 10 years; {EXAMPLE}, got {s:?}"
        ))
    };
    let numerator = mantissa
        .checked_mul(u128::from(unit_ms))
        .ok_or_else(too_long)?;
    let denominator = 10u128.pow(scale) * u128::from(SECOND_MS);
    let secs = numerator / denominator;

    if secs < u128::from(MIN_SECS) {
        return Err(DurationError(format!(
            "token lifetime must be at least 1 second; {EXAMPLE}, got {s:?}"
        )));
    }
    if secs > u128::from(MAX_SECS) {
        return Err(too_long());
    }
    u64::try_from(secs).map_err(|_| too_long())
}

fn expected(s: &str) -> DurationError {
    DurationError(format!("{EXAMPLE}, got {s:?}"))
}

fn unit_ms(unit: &str) -> Option<u64> {
    let unit = unit.to_ascii_lowercase();
    UNITS
        .iter()
        .find(|(names, _)| names.contains(&unit.as_str()))
        .map(|&(_, ms)| ms)
}

/// Reads `digits[.digits]` or `.digits` as `(mantissa, scale)` meaning `mantissa / 10^scale`.
fn parse_decimal(number: &str) -> Option<(u128, u32)> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    // "1." is refused as `ms` refuses it; "." and "" have no digits at all.
    if number.ends_with('.') || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    if !whole
        .bytes()
        .chain(fraction.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = u32::try_from(fraction.len()).ok()?;
    if scale > MAX_FRACTION_DIGITS {
        return None;
    }
    // Saturating: an absurdly large number is still a number, and the caller reports it as too long.
    let mut mantissa: u128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa
            .saturating_mul(10)
            .saturating_add(u128::from(digit - b'0'));
    }
    Some((mantissa, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medusa_style_durations_parse_to_seconds() {
        let cases: &[(&str, u64)] = &[
            ("1d", 86_400),
            ("2 days", 172_800),
            ("1.5h", 5_400),
            ("15m", 900),
            ("90s", 90),
            ("10h", 36_000),
            ("2w", 1_209_600),
            ("1y", 31_557_600),
            ("10y", 315_576_000),
            ("1000ms", 1),
            ("1999ms", 1),
            (".5m", 30),
            ("0.5 minutes", 30),
            ("3 hrs", 10_800),
            ("1 Day", 86_400),
            ("1D", 86_400),
            ("2  WEEKS", 1_209_600),
            ("  1d  ", 86_400),
        ];
        for &(input, secs) in cases {
            assert_eq!(parse_duration_secs(input), Ok(secs), "{input:?}");
        }
    }

    #[test]
    fn every_unit_spelling_is_understood() {
        for &(names, unit_ms) in UNITS {
            // A thousand milliseconds, or one of any larger unit, so every result is whole seconds.
            let count = if unit_ms == 1 { 1000 } else { 1 };
            for name in names {
                let input = format!("{count}{name}");
                assert_eq!(
                    parse_duration_secs(&input),
                    Ok(count * unit_ms / 1000),
                    "{input}"
                );
            }
        }
    }

    #[test]
    fn invalid_durations_are_refused() {
        for input in [
            "",
            "   ",
            "abc",
            "d",
            "1.",
            "1.5.2h",
            ".h",
            "1e3s",
            "1 fortnight",
            "1mo",
            "+1d",
            "1d2h",
            "1_000s",
            "１d",
        ] {
            let err = parse_duration_secs(input).expect_err(input);
            assert!(
                err.0.contains("expected a duration like 1d, 12h or 900s"),
                "{input:?}: {err}"
            );
        }
    }

    #[test]
    fn sub_second_durations_are_refused() {
        for input in ["500ms", "999ms", "0s", "0d", "0.0001m"] {
            let err = parse_duration_secs(input).expect_err(input);
            assert!(err.0.contains("at least 1 second"), "{input:?}: {err}");
        }
    }

    #[test]
    fn a_bare_number_is_refused_because_jsonwebtoken_reads_it_as_milliseconds() {
        let err = parse_duration_secs("120").expect_err("bare number");
        assert_eq!(
            err.to_string(),
            "a bare number is ambiguous (jsonwebtoken reads \"120\" as 120 milliseconds); \
             add a unit, e.g. 120s or 2m, got \"120\""
        );
    }

    #[test]
    fn negative_durations_are_refused() {
        let err = parse_duration_secs("-1d").expect_err("negative");
        assert!(err.0.contains("negative"), "{err}");
    }

    #[test]
    fn durations_over_ten_years_are_refused() {
        for input in ["11y", "3653d", "99999999999999999999999999999999999999999y"] {
            let err = parse_duration_secs(input).expect_err(input);
            assert!(err.0.contains("at most 10 years"), "{input:?}: {err}");
        }
    }

    #[test]
    fn overlong_input_is_refused_without_arithmetic() {
        assert!(parse_duration_secs(&format!("{}s", "9".repeat(200))).is_err());
        assert!(parse_duration_secs(&format!("1.{}s", "0".repeat(30))).is_err());
    }

    #[test]
    fn input_and_fraction_limits_are_inclusive() {
        let at_limit = format!("1{}d", " ".repeat(MAX_INPUT_CHARS - 2));
        assert_eq!(parse_duration_secs(&at_limit), Ok(86_400));
        let over = format!("1{}d", " ".repeat(MAX_INPUT_CHARS - 1));
        assert_eq!(parse_duration_secs(&over), Err(expected(&over)));
        let digits = MAX_FRACTION_DIGITS as usize;
        assert_eq!(
            parse_duration_secs(&format!("1.{}d", "0".repeat(digits))),
            Ok(86_400)
        );
        let finer = format!("1.{}d", "0".repeat(digits + 1));
        assert_eq!(parse_duration_secs(&finer), Err(expected(&finer)));
    }

    #[test]
    fn error_message_quotes_the_input_and_gives_an_example() {
        assert_eq!(
            parse_duration_secs("abc").expect_err("garbage").to_string(),
            "expected a duration like 1d, 12h or 900s, got \"abc\""
        );
    }
}
