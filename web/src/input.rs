//! Parsing what users type, with messages that say what is wrong. Shared by the forms and window.raft.

/// Parses an integer field: "x must be a whole number" rather than a silent NaN.
pub fn int_field(name: &str, text: &str, min: i64, max: i64) -> Result<i64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("{name} is empty"));
    }
    let v: i64 = t.parse().map_err(|_| format!("{name} must be a whole number, not \"{}\"", shorten(t)))?;
    if v < min || v > max {
        return Err(format!("{name} must be between {min} and {max}"));
    }
    Ok(v)
}

/// Parses a number of milliseconds or a percentage.
pub fn num_field(name: &str, text: &str, min: f64, max: f64) -> Result<f64, String> {
    let t = text.trim();
    let v: f64 = t.parse().map_err(|_| format!("{name} must be a number, not \"{}\"", shorten(t)))?;
    if !v.is_finite() || v < min || v > max {
        return Err(format!("{name} must be between {min} and {max}"));
    }
    // Times are whole microseconds and percentages need no more: three decimals, so that "1e-300" is 0 and
    // every value shown back is short.
    Ok((v * 1000.0).round() / 1000.0)
}

fn shorten(t: &str) -> String {
    if t.chars().count() > 20 {
        format!("{}…", t.chars().take(20).collect::<String>())
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn bad_numbers_get_a_sentence() {
        assert_eq!(int_field("index", " 3 ", 0, 4), Ok(3));
        assert!(int_field("index", "three", 0, 4).unwrap_err().contains("whole number"));
        assert!(int_field("index", "9", 0, 4).unwrap_err().contains("between 0 and 4"));
        assert!(int_field("index", "", 0, 4).unwrap_err().contains("empty"));
        assert!(num_field("loss", "NaN", 0.0, 100.0).is_err());
    }
}
