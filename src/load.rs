//! Finding and reading the input files: a deterministic walk of the input
//! folder, editor temporaries skipped, size and encoding checked.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};

/// Largest input file accepted (a real submission is a few KB).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// One input file's text, ready to parse.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// As shown to the user: relative to the folder it was found in.
    pub path: PathBuf,
    pub text: String,
    /// SHA-256 of the bytes on disk, hex.
    pub sha256: String,
}

/// Every `.json` file under each path (a file is taken as it is), in a
/// stable order, with problems reported rather than skipped.
pub fn discover(paths: &[PathBuf], diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for root in paths {
        if root.is_file() {
            found.push(root.clone());
            continue;
        }
        if !root.is_dir() {
            diags.push(whole_file(
                root,
                Code::Unreadable,
                "không tìm thấy tệp hay thư mục này; kiểm tra lại đường dẫn".into(),
            ));
            continue;
        }
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        // A link, to a file or to a folder, must resolve inside the folder:
        // one to a folder outside would bring in any file (a forged later
        // revision, or the whole of /etc).
        let leaves = |p: &Path| {
            !p.canonicalize()
                .is_ok_and(|p| p.starts_with(&canonical_root))
        };
        let mut walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref())
            });
        while let Some(entry) = walker.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map_or_else(|| root.clone(), Path::to_path_buf);
                    let looped = e.loop_ancestor().is_some();
                    let why = match (looped, e.into_io_error()) {
                        (true, _) => {
                            "liên kết tượng trưng (symlink) tạo thành vòng lặp; xóa liên kết này"
                                .to_string()
                        }
                        // A dangling link is only worth a word where a data file was meant.
                        (false, Some(io))
                            if io.kind() == std::io::ErrorKind::NotFound && !is_json(&path) =>
                        {
                            continue
                        }
                        (false, Some(io)) => unreadable_message(&io),
                        (false, None) => "không đọc được mục này trong thư mục dữ liệu".to_string(),
                    };
                    diags.push(whole_file(&path, Code::Unreadable, why));
                    continue;
                }
            };
            let is_dir = entry.file_type().is_dir();
            let is_data = entry.file_type().is_file() && is_json(entry.path());
            if !(is_dir || is_data) {
                continue;
            }
            if entry.depth() > 0 && entry.path_is_symlink() && leaves(entry.path()) {
                let what = if is_dir {
                    "chép thư mục thật vào thư mục dữ liệu thay vì dùng liên kết; chương trình không đọc gì bên trong liên kết này"
                } else {
                    "chép tệp thật vào thư mục thay vì dùng liên kết"
                };
                diags.push(whole_file(
                    entry.path(),
                    Code::Unreadable,
                    format!("liên kết tượng trưng trỏ ra ngoài thư mục dữ liệu; {what}"),
                ));
                if is_dir {
                    walker.skip_current_dir();
                }
                continue;
            }
            if is_data {
                found.push(entry.into_path());
            }
        }
    }
    // A file named twice, named and inside a named folder, or reached
    // again through a link inside the folder, is one file.
    let mut seen = std::collections::HashSet::new();
    found.retain(|p| seen.insert(identity(p)));
    found
}

/// What a path names on disk, so one file reached by two paths is seen once.
pub fn identity(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// A size in MiB with one decimal, written the Vietnamese way ("50,0").
fn mib(bytes: u64) -> String {
    let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
    format!("{},{}", tenths / 10, tenths % 10)
}

/// Hidden files and the temporaries of editors and Office.
fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.starts_with("~$") || name.ends_with('~') || name.ends_with(".swp")
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn whole_file(path: &Path, code: Code, message: String) -> Diagnostic {
    Diagnostic {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        path: "$".into(),
        code,
        message,
    }
}

/// Reads one file: size limit, UTF-8 (a BOM is accepted), SHA-256.
pub fn read(path: &Path, diags: &mut Diagnostics) -> Option<InputFile> {
    let bytes = read_bytes(path, diags)?;
    // A unit's Excel form is checked as the JSON text it stands for.
    let text = if crate::excel::import::is_form(path) {
        crate::excel::import::from_bytes(path, &bytes)
            .map_err(|d| diags.0.extend(d.0))
            .ok()?
            .json
    } else {
        decode_text(&bytes)
            .map_err(|message| diags.push(whole_file(path, Code::Encoding, message)))
            .ok()?
    };
    Some(InputFile::new(path, text, &bytes))
}

/// A file's bytes, within the size limit, or why not.
pub fn read_bytes(path: &Path, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => {
            diags.push(whole_file(path, Code::Unreadable, unreadable_message(&e)));
            return None;
        }
    };
    if !within_limit(path, size, diags) {
        return None;
    }
    std::fs::read(path)
        .map_err(|e| diags.push(whole_file(path, Code::Unreadable, unreadable_message(&e))))
        .ok()
}

impl InputFile {
    /// The text read from `bytes` (a form's: the JSON text it stands for).
    pub fn new(path: &Path, text: String, bytes: &[u8]) -> InputFile {
        InputFile {
            path: path.to_path_buf(),
            text,
            sha256: hex(&Sha256::digest(bytes)),
        }
    }
}

/// Whether a file of `size` bytes is within [`MAX_FILE_BYTES`]; if not,
/// says so (KC003) and how to tell what went wrong.
pub fn within_limit(path: &Path, size: u64, diags: &mut Diagnostics) -> bool {
    if size > MAX_FILE_BYTES {
        diags.push(whole_file(
            path,
            Code::TooLarge,
            format!(
                "tệp nặng {} MiB, vượt giới hạn {} MiB của một tệp dữ liệu; một báo cáo đơn vị chỉ vài KB — kiểm tra xem có chép nhầm tệp khác vào không",
                mib(size),
                mib(MAX_FILE_BYTES)
            ),
        ));
        return false;
    }
    true
}

/// Why a file cannot be read, and what to do, in Vietnamese.
fn unreadable_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "không tìm thấy tệp (có thể là liên kết trỏ tới tệp đã bị xóa hay đổi tên); chép tệp thật vào thư mục dữ liệu".into()
        }
        std::io::ErrorKind::PermissionDenied => {
            "không có quyền đọc tệp; nhờ quản trị máy cấp quyền đọc hoặc chép lại tệp".into()
        }
        _ => format!("không đọc được tệp ({e}); kiểm tra tệp có bị hỏng hay đang bị chương trình khác khóa không"),
    }
}

/// UTF-8 text without its BOM, or why the bytes are not acceptable.
fn decode_text(bytes: &[u8]) -> Result<String, String> {
    const SAVE_AS: &str = "mở tệp bằng trình soạn thảo rồi lưu lại với bảng mã UTF-8";
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || bytes.iter().take(64).any(|&b| b == 0)
    {
        return Err(format!("tệp được lưu bằng bảng mã UTF-16 hoặc là tệp nhị phân, không phải văn bản UTF-8; {SAVE_AS}"));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        format!("tệp không phải UTF-8 (byte lạ ở vị trí {}; có thể là bảng mã TCVN3 hay Windows-1258); {SAVE_AS}", e.utf8_error().valid_up_to())
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_temporaries_are_ignored() {
        for name in [
            ".~lock.a.json#",
            "~$bao-cao.json",
            "a.json~",
            ".a.json.swp",
            ".hidden.json",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("742-nhon-trach.json"));
    }

    #[test]
    fn encodings() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF{}").unwrap(), "{}");
        assert!(decode_text(b"\xFF\xFE{\x00}\x00")
            .unwrap_err()
            .contains("UTF-16"));
        assert!(decode_text(b"{\"a\": \"\xE0\"}")
            .unwrap_err()
            .contains("không phải UTF-8"));
    }
}
