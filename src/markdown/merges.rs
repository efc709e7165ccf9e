//! Merged table cells: a cell written `<` joins the cell on its left, one
//! written `^` the cell above. `^` only stands in header rows: the rows
//! right after the delimiter row that hold one are header rows too, so a
//! two- or three-level header is written as plain rows.

use std::collections::BTreeMap;

use super::MarkdownError;
use crate::document::Merge;

/// What a cell asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Text,
    /// `<`: part of the cell on its left.
    Left,
    /// `^`: part of the cell above.
    Up,
}

impl Mark {
    /// The cell's Markdown source (between its pipes) decides, not its
    /// text: data comes escaped (`\<`), and an escaped sign stays text.
    pub(super) fn of(source: &str) -> Mark {
        match source.trim_matches(|c: char| c == '|' || c.is_whitespace()) {
            "<" => Mark::Left,
            "^" => Mark::Up,
            _ => Mark::Text,
        }
    }
}

/// A run of positions of one row that is one cell: where it starts, how
/// wide it is, and (in header rows) which cell of `origins` it belongs to.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: usize,
    width: usize,
    origin: usize,
}

/// The number of header rows and the merged cells of a table of `columns`
/// columns. `marked` holds the marks of the rows (header row = 0) having a
/// `<` or `^`; every other cell is text. `line(row)` is the row's line in
/// the Markdown, for errors.
pub(super) fn resolve(
    marked: &BTreeMap<usize, Vec<Mark>>,
    columns: usize,
    line: impl Fn(usize) -> usize,
) -> Result<(usize, Vec<Merge>), MarkdownError> {
    let header_rows = 1
        + (1..)
            .take_while(|r| marked.get(r).is_some_and(|m| m.contains(&Mark::Up)))
            .count();
    let plain = vec![Mark::Text; columns];
    // Every cell of the header rows (their heights grow with `^`), then the
    // merged cells of the body rows.
    let mut origins: Vec<Merge> = Vec::new();
    let mut merges: Vec<Merge> = Vec::new();
    let mut above: Vec<Run> = Vec::new();
    let last = marked.keys().next_back().map_or(0, |r| r + 1);
    for row in 0..header_rows.max(last) {
        let marks = marked.get(&row).unwrap_or(&plain);
        if row >= header_rows && !marked.contains_key(&row) {
            continue;
        }
        let mut runs: Vec<(usize, usize, Mark)> = Vec::new();
        for (column, &mark) in marks.iter().enumerate() {
            let at = || (line(row), column + 1);
            match mark {
                Mark::Left => match runs.last_mut() {
                    Some(run) => run.1 += 1,
                    None => {
                        let (line, _) = at();
                        return Err(MarkdownError::MergeLeftFirst { line });
                    }
                },
                Mark::Up if row == 0 => {
                    let (line, column) = at();
                    return Err(MarkdownError::MergeUpTop { line, column });
                }
                Mark::Up if row >= header_rows => {
                    let (line, column) = at();
                    return Err(MarkdownError::MergeUpBody { line, column });
                }
                _ => runs.push((column, 1, mark)),
            }
        }
        if row >= header_rows {
            merges.extend(
                runs.iter()
                    .filter(|r| r.1 > 1)
                    .map(|&(column, columns, _)| Merge {
                        row,
                        column,
                        rows: 1,
                        columns,
                    }),
            );
            continue;
        }
        let mut here = Vec::with_capacity(runs.len());
        for (start, width, mark) in runs {
            let origin = if mark == Mark::Up {
                let up = above
                    .iter()
                    .find(|r| r.start <= start && start < r.start + r.width)
                    .copied();
                match up {
                    Some(up) if up.start == start && up.width == width => {
                        origins[up.origin].rows += 1;
                        up.origin
                    }
                    up => {
                        let (from, above) = up.map_or((start, 1), |u| (u.start, u.width));
                        return Err(MarkdownError::MergeUpWidth {
                            line: line(row),
                            column: start + 1,
                            width,
                            above,
                            from: from + 1,
                        });
                    }
                }
            } else {
                origins.push(Merge {
                    row,
                    column: start,
                    rows: 1,
                    columns: width,
                });
                origins.len() - 1
            };
            here.push(Run {
                start,
                width,
                origin,
            });
        }
        above = here;
    }
    origins.retain(|m| m.rows > 1 || m.columns > 1);
    origins.extend(merges);
    Ok((header_rows, origins))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(rows: &[&str]) -> BTreeMap<usize, Vec<Mark>> {
        rows.iter()
            .enumerate()
            .filter(|(_, r)| r.contains(['<', '^']))
            .map(|(i, r)| (i, r.split('|').map(Mark::of).collect()))
            .collect()
    }

    fn resolved(rows: &[&str]) -> Result<(usize, Vec<Merge>), MarkdownError> {
        let columns = rows[0].split('|').count();
        resolve(&marks(rows), columns, |r| r + 10)
    }

    fn merge(row: usize, column: usize, rows: usize, columns: usize) -> Merge {
        Merge {
            row,
            column,
            rows,
            columns,
        }
    }

    #[test]
    fn a_two_level_header_and_a_subtotal_row() {
        let (header_rows, merges) = resolved(&[
            "STT|Đề án|Kinh phí|<|<|Tình trạng",
            "^|^|Tổng|KC|Đối ứng|^",
            "1|A|3|2|1|x",
            "Cộng|<|3|2|1|",
        ])
        .unwrap();
        assert_eq!(header_rows, 2);
        assert_eq!(
            merges,
            [
                merge(0, 0, 2, 1),
                merge(0, 1, 2, 1),
                merge(0, 2, 1, 3),
                merge(0, 5, 2, 1),
                merge(3, 0, 1, 2)
            ]
        );
    }

    #[test]
    fn three_levels_and_a_wide_cell_merged_down() {
        let (header_rows, merges) =
            resolved(&["A|B|<|C", "^|^|<|D", "^|x|y|^", "1|2|3|4"]).unwrap();
        assert_eq!(header_rows, 3);
        assert_eq!(
            merges,
            [merge(0, 0, 3, 1), merge(0, 1, 2, 2), merge(1, 3, 2, 1)]
        );
    }

    #[test]
    fn escaped_signs_and_plain_tables_merge_nothing() {
        assert_eq!(resolved(&["A|B", r"\<|\^", "1|2"]).unwrap(), (1, vec![]));
        assert_eq!(resolved(&["A|B", "1|2"]).unwrap(), (1, vec![]));
    }

    #[test]
    fn misplaced_signs_name_their_line_and_column() {
        assert_eq!(
            resolved(&["A|B", "<|x", "1|2"]),
            Err(MarkdownError::MergeLeftFirst { line: 11 })
        );
        assert_eq!(
            resolved(&["A|^", "1|2"]),
            Err(MarkdownError::MergeUpTop {
                line: 10,
                column: 2
            })
        );
        // A body row (the row above has no `^`) cannot merge upwards.
        assert_eq!(
            resolved(&["A|B", "1|2", "^|3"]),
            Err(MarkdownError::MergeUpBody {
                line: 12,
                column: 1
            })
        );
        // Under a cell two wide, `^` must be two wide too ...
        assert_eq!(
            resolved(&["A|B|<", "^|^|x"]),
            Err(MarkdownError::MergeUpWidth {
                line: 11,
                column: 2,
                width: 1,
                above: 2,
                from: 2
            })
        );
        // ... and start where it starts.
        assert_eq!(
            resolved(&["A|B|<", "^|x|^"]),
            Err(MarkdownError::MergeUpWidth {
                line: 11,
                column: 3,
                width: 1,
                above: 2,
                from: 2
            })
        );
    }
}
