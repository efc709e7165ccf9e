//! Where each part of the rendered Markdown came from: a map back to the
//! templates' file:line, for the report check ([`crate::report_check`])
//! to point a clerk at the line to fix, and the values printed without a
//! filter (a raw `3246633000`, a JSON dump).
//!
//! Tera keeps no such map, so the templates are rendered a second time,
//! **traced**: a copy of each template in which every line of text starts
//! with an invisible mark naming its file, line and column, and every
//! `{{ … }}` is preceded by one naming it and passes its value through the
//! `kc__value` filter, which notes a raw value and returns it unchanged.
//! Marks are pairs of private-use characters (planes 15 and 16) no report
//! contains; taking them out of the traced Markdown gives the plain one
//! back, which the caller checks (a template this cannot trace faithfully
//! gives no map, never a different report). Nothing is traced inside
//! `{% raw %}`, `{% set %}…{% endset %}`, `{% filter %}` and components,
//! whose text is not printed where it is written.

use std::cell::RefCell;

use tera::{Kwargs, State, Value};

/// A place in the templates: the source (index into the template list),
/// 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub source: usize,
    pub line: usize,
    pub column: usize,
    /// For a printed value, the expression between `{{` and `}}`.
    pub expression: Option<String>,
}

/// A template's traced copy, and the places its marks name.
pub struct Traced {
    pub text: String,
    pub origins: Vec<Origin>,
}

/// The filter every traced `{{ … }}` ends with.
pub const VALUE_FILTER: &str = "kc__value";

const HIGH: u32 = 0xF0000;
const LOW: u32 = 0x100000;

/// The two characters marking place `id`.
fn mark(id: usize) -> String {
    let high = char::from_u32(HIGH + (id >> 16) as u32);
    let low = char::from_u32(LOW + (id & 0xFFFF) as u32);
    high.into_iter().chain(low).collect()
}

/// The place a pair of characters marks, if they are a mark.
fn marked(high: char, low: char) -> Option<usize> {
    let (h, l) = (high as u32, low as u32);
    ((HIGH..HIGH + 0xFFFE).contains(&h) && (LOW..=LOW + 0xFFFF).contains(&l))
        .then(|| (((h - HIGH) as usize) << 16) | (l - LOW) as usize)
}

/// 1-based line and column of byte `at` of `text`, counting on from the
/// last position asked (`state`: byte, line, column).
fn advance(text: &str, state: &mut (usize, usize, usize), at: usize) -> (usize, usize) {
    for c in text[state.0..at].chars() {
        if c == '\n' {
            state.1 += 1;
            state.2 = 1;
        } else {
            state.2 += 1;
        }
    }
    state.0 = at;
    (state.1, state.2)
}

/// The end (after its closing delimiter) of the tag opened at `start`, its
/// string literals skipped, or None when it never closes.
fn tag_end(text: &str, start: usize, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start + 2;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'' | b'`') => {
                let end = text[i + 1..].find(quote as char)?;
                i += end + 2;
            }
            _ if text[i..].starts_with(close) => return Some(i + close.len()),
            _ => i += 1,
        }
    }
    None
}

/// The first word inside a `{% … %}` tag.
fn tag_word(tag: &str) -> &str {
    tag.trim_start_matches("{%")
        .trim_start_matches(['-', '+'])
        .split_whitespace()
        .next()
        .unwrap_or("")
}

/// Tags whose body is text not printed where it is written.
fn captures(tag: &str) -> bool {
    let word = tag_word(tag);
    let inner = tag.trim_start_matches("{%").trim_end_matches("%}");
    matches!(word, "filter" | "component")
        || (matches!(word, "set" | "set_global") && !inner.contains('='))
}

/// The traced copy of template `source` (its index) with text `text`,
/// numbering its places from `first`.
pub fn trace(source: usize, text: &str, first: usize) -> Traced {
    let mut out = String::with_capacity(text.len() * 2);
    let mut origins = Vec::new();
    let mut position = (0, 1, 1);
    let mut depth = 0usize;
    let mut place = |at: usize, expression: Option<String>, position: &mut _| {
        let (line, column) = advance(text, position, at);
        origins.push(Origin {
            source,
            line,
            column,
            expression,
        });
        first + origins.len() - 1
    };
    let mut rest = 0;
    loop {
        let next = text[rest..]
            .match_indices('{')
            .map(|(i, _)| rest + i)
            .find(|&i| matches!(text.as_bytes().get(i + 1), Some(b'{' | b'%' | b'#')));
        let literal_end = next.unwrap_or(text.len());
        // Text: a mark before the first letter of each of its lines.
        let literal = &text[rest..literal_end];
        let mut line_start = true;
        for (i, c) in literal.char_indices() {
            if c == '\n' {
                line_start = true;
            } else if line_start && !c.is_whitespace() {
                line_start = false;
                if depth == 0 {
                    let id = place(rest + i, None, &mut position);
                    out.push_str(&mark(id));
                }
            }
            out.push(c);
        }
        let Some(start) = next else { break };
        let close = match text.as_bytes()[start + 1] {
            b'{' => "}}",
            b'%' => "%}",
            _ => "#}",
        };
        let end = if close == "#}" {
            text[start + 2..].find(close).map(|i| start + 2 + i + 2)
        } else {
            tag_end(text, start, close)
        };
        // An unclosed tag: Tera reports it; copy the rest as it is.
        let Some(end) = end else {
            out.push_str(&text[start..]);
            break;
        };
        let tag = &text[start..end];
        rest = end;
        match close {
            "%}" if tag_word(tag) == "raw" => {
                // Nothing inside is a tag: copied through `{% endraw %}`.
                let closing = text[end..]
                    .match_indices("{%")
                    .map(|(i, _)| end + i)
                    .find(|&i| {
                        tag_end(text, i, "%}").is_some_and(|e| tag_word(&text[i..e]) == "endraw")
                    })
                    .and_then(|i| tag_end(text, i, "%}"));
                let stop = closing.unwrap_or(text.len());
                out.push_str(&text[start..stop]);
                rest = stop;
            }
            "%}" => {
                if captures(tag) {
                    depth += 1;
                } else if matches!(tag_word(tag), "endset" | "endfilter" | "endcomponent") {
                    depth = depth.saturating_sub(1);
                }
                out.push_str(tag);
            }
            "}}" => {
                let inner = &tag[2..tag.len() - 2];
                let left = inner.starts_with('-');
                let right = inner.ends_with('-') && inner.len() > 1;
                let expression = inner
                    .strip_prefix('-')
                    .unwrap_or(inner)
                    .strip_suffix('-')
                    .filter(|_| right)
                    .unwrap_or(inner.strip_prefix('-').unwrap_or(inner))
                    .trim();
                if depth > 0 || expression.is_empty() || expression.starts_with('<') {
                    out.push_str(tag);
                    continue;
                }
                let id = place(start, Some(expression.to_string()), &mut position);
                let dash = |yes: bool| if yes { "-" } else { "" };
                out.push_str(&format!(
                    "{{{{{} \"{}\" | safe }}}}{{{{ ({expression}) | {VALUE_FILTER}(n={id}) {}}}}}",
                    dash(left),
                    mark(id),
                    dash(right)
                ));
            }
            _ => out.push_str(tag),
        }
    }
    Traced { text: out, origins }
}

/// The traced Markdown without its marks, and where each place's text
/// starts in it (byte offset, place), in order.
pub fn strip(traced: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(traced.len());
    let mut spans = Vec::new();
    let mut copied = 0;
    // A mark's first character is four bytes starting 0xF3 (plane 15):
    // the text between is copied whole.
    for at in memchr::memchr_iter(0xF3, traced.as_bytes()) {
        if at < copied {
            continue;
        }
        let mut pair = traced[at..].chars();
        let (Some(high), Some(low)) = (pair.next(), pair.next()) else {
            continue;
        };
        if let Some(id) = marked(high, low) {
            out.push_str(&traced[copied..at]);
            spans.push((out.len(), id));
            copied = at + high.len_utf8() + low.len_utf8();
        }
    }
    out.push_str(&traced[copied..]);
    (out, spans)
}

/// How a value printed without a filter would read in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raw {
    /// An integer of five digits or more, without thousands separators.
    Integer,
    /// A decimal number, with a dot.
    Decimal,
    /// A date as ISO writes it (`2023-12-15`).
    Date,
    /// `true` or `false`.
    Bool,
    /// A JSON-like dump of an object.
    Map,
    /// A JSON-like dump of a list.
    List,
}

/// A raw value printed at place `place`, as it printed.
#[derive(Debug, Clone, PartialEq)]
pub struct RawValue {
    pub place: usize,
    pub raw: Raw,
    /// The start of what it printed.
    pub shown: String,
    /// An object's fields, in order.
    pub fields: Vec<String>,
}

/// Characters of a raw value shown in a message.
const SHOWN: usize = 60;

thread_local! {
    /// The raw values the traced render on this thread printed.
    static RAW: RefCell<Vec<RawValue>> = const { RefCell::new(Vec::new()) };
}

/// What a value printed as it is would be, if it is not report text.
fn raw(v: &Value) -> Option<Raw> {
    if v.is_map() {
        return Some(Raw::Map);
    }
    if v.is_array() {
        return Some(Raw::List);
    }
    if v.is_bool() {
        return Some(Raw::Bool);
    }
    if let Some(n) = v.as_i128() {
        return (n.unsigned_abs() >= 10_000).then_some(Raw::Integer);
    }
    if v.is_number() {
        return Some(Raw::Decimal);
    }
    let text = v
        .as_str()
        .filter(|t| t.len() == 10 && t.as_bytes()[4] == b'-')?;
    crate::contract::Date::parse(text).map(|_| Raw::Date)
}

/// The `kc__value` filter: notes a raw value, returns the value unchanged.
pub fn value_filter(v: &Value, kwargs: Kwargs, _: &State) -> tera::TeraResult<Value> {
    if let Some(raw) = raw(v) {
        let place = kwargs.get::<usize>("n")?.unwrap_or(usize::MAX);
        let mut shown: String = v.to_string().chars().take(SHOWN).collect();
        if shown.chars().count() == SHOWN {
            shown.push('…');
        }
        let mut fields: Vec<String> = v
            .as_map()
            .map(|m| m.keys().map(|k| k.to_string()).collect())
            .unwrap_or_default();
        fields.sort();
        RAW.with(|found| {
            found.borrow_mut().push(RawValue {
                place,
                raw,
                shown,
                fields,
            })
        });
    }
    Ok(v.clone())
}

/// The raw values noted on this thread since the last call.
pub fn take_raw() -> Vec<RawValue> {
    RAW.with(|found| std::mem::take(&mut *found.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip() {
        for id in [0, 1, 65535, 65536, 1_000_000] {
            let m: Vec<char> = mark(id).chars().collect();
            assert_eq!(marked(m[0], m[1]), Some(id));
        }
        let (text, spans) = strip(&format!("a{}b\n{}c", mark(3), mark(70000)));
        assert_eq!(text, "ab\nc");
        assert_eq!(spans, [(1, 3), (3, 70000)]);
    }

    #[test]
    fn text_lines_and_values_are_marked_with_their_place() {
        let t = trace(
            2,
            "Ab {{- x | tien -}}\n  {% if y %}B{% endif %}\n{# c #}",
            10,
        );
        assert_eq!(
            t.origins,
            [
                Origin {
                    source: 2,
                    line: 1,
                    column: 1,
                    expression: None
                },
                Origin {
                    source: 2,
                    line: 1,
                    column: 4,
                    expression: Some("x | tien".into())
                },
                Origin {
                    source: 2,
                    line: 2,
                    column: 13,
                    expression: None
                },
            ]
        );
        assert_eq!(
            t.text,
            format!(
                "{}Ab {{{{- \"{}\" | safe }}}}{{{{ (x | tien) | kc__value(n=11) -}}}}\n  {{% if y %}}{}B{{% endif %}}\n{{# c #}}",
                mark(10),
                mark(11),
                mark(12)
            )
        );
    }

    #[test]
    fn captured_and_raw_text_is_left_alone() {
        let text = "{% set s %}a {{ x }}{% endset %}{% raw %}{{ y }} b{% endraw %}{{ \"}}\" }}";
        let t = trace(0, text, 0);
        assert_eq!(t.origins.len(), 1, "{:?}", t.origins);
        assert!(t
            .text
            .starts_with("{% set s %}a {{ x }}{% endset %}{% raw %}{{ y }} b{% endraw %}{{ \""));
        assert!(
            t.text.ends_with("{{ (\"}}\") | kc__value(n=0) }}"),
            "{}",
            t.text
        );
    }
}
