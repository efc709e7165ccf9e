//! Finding and reading the input files: a deterministic walk of the input
//! folder, editor temporaries skipped, only regular files read, each once
//! and within a size limit, encoding checked; an Excel form is read into
//! its cells (`excel::workbook`, the forms' input adapter).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::excel::{import, workbook};

/// Largest input file accepted (a real submission is a few KB).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// One input file as read: the text of a JSON file, or the cells of a form.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// As shown to the user: relative to the folder it was found in.
    pub path: PathBuf,
    pub content: Content,
    /// SHA-256 of the bytes on disk, hex.
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub enum Content {
    Json(String),
    /// A unit's Excel form, read against the plan once the plan is known.
    Form(Arc<workbook::Workbook>),
}

impl InputFile {
    /// The JSON text, for a JSON file.
    pub fn json(&self) -> Option<&str> {
        match &self.content {
            Content::Json(text) => Some(text),
            Content::Form(_) => None,
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("không tìm thấy tệp (có thể là liên kết trỏ tới tệp đã bị xóa hay đổi tên); chép tệp thật vào thư mục dữ liệu")]
    NotFound,
    #[error("không có quyền đọc tệp; nhờ quản trị máy cấp quyền đọc hoặc chép lại tệp")]
    Denied,
    #[error("đây là {0}, không phải một tệp thường: chương trình chỉ đọc tệp thường (liên kết thì đọc tệp nó trỏ tới, nếu là tệp thường)")]
    NotAFile(&'static str),
    #[error("tệp nặng hơn {} MiB, vượt giới hạn {} MiB của tệp này; kiểm tra xem có chép nhầm tệp khác vào không", mib(*.0), mib(*.0))]
    TooLarge(u64),
    #[error("không đọc được tệp (lỗi hệ thống khi đọc); kiểm tra tệp có bị hỏng hay đang bị chương trình khác khóa không")]
    Io(std::io::ErrorKind),
}

impl ReadError {
    fn of(e: &std::io::Error) -> ReadError {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            std::io::ErrorKind::PermissionDenied => ReadError::Denied,
            std::io::ErrorKind::IsADirectory => ReadError::NotAFile("thư mục"),
            kind => ReadError::Io(kind),
        }
    }
}

/// What a path that is no regular file is, in words.
fn kind_of(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("thư mục");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("một ống dẫn (FIFO)");
        }
        if file_type.is_socket() {
            return Some("một socket");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("một thiết bị");
        }
    }
    Some("một mục đặc biệt của hệ thống")
}

/// Whether `path` is a regular file (a link is followed, then its target
/// checked), without opening it.
pub fn regular(path: &Path) -> Result<(), ReadError> {
    match std::fs::metadata(path).map(|m| kind_of(m.file_type())) {
        Ok(None) => Ok(()),
        Ok(Some(what)) => Err(ReadError::NotAFile(what)),
        Err(e) => Err(ReadError::of(&e)),
    }
}

/// The bytes of a regular file (a link is followed, then its target
/// checked), read once and at most `limit` of them. A FIFO, a device or a
/// folder is refused before anything is read, and opening cannot wait for
/// a FIFO's writer.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    if let Some(what) = std::fs::metadata(path)
        .map_err(|e| ReadError::of(&e))
        .map(|m| kind_of(m.file_type()))?
    {
        return Err(ReadError::NotAFile(what));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| ReadError::of(&e))?;
    // What was opened is what is read: it may have been swapped since.
    let meta = file.metadata().map_err(|e| ReadError::of(&e))?;
    if let Some(what) = kind_of(meta.file_type()) {
        return Err(ReadError::NotAFile(what));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::of(&e))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// Every data file under each path, in a stable order, with problems
/// reported rather than skipped: a file named is taken as it is (a form
/// too); in a folder, the `.json` files, and a spreadsheet is refused
/// (forms come in through `nhap`, never silently left out).
pub fn discover(paths: &[PathBuf], diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for root in paths {
        match std::fs::metadata(root).map(|m| kind_of(m.file_type())) {
            Ok(None) => {
                found.push(root.clone());
                continue;
            }
            Ok(Some(what)) if what != "thư mục" => {
                diags.push(whole_file(
                    root,
                    Code::Unreadable,
                    ReadError::NotAFile(what).to_string(),
                ));
                continue;
            }
            Ok(Some(_)) => {}
            Err(_) => {
                diags.push(whole_file(
                    root,
                    Code::Unreadable,
                    "không tìm thấy tệp hay thư mục này; kiểm tra lại đường dẫn".into(),
                ));
                continue;
            }
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
                            if io.kind() == std::io::ErrorKind::NotFound && !is_data(&path) =>
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
            let named_data = entry.depth() > 0 && is_data(entry.path());
            if !(is_dir || named_data) {
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
            if is_dir {
                continue;
            }
            if let Some(what) = kind_of(entry.file_type()) {
                diags.push(whole_file(
                    entry.path(),
                    Code::Unreadable,
                    ReadError::NotAFile(what).to_string(),
                ));
            } else if is_spreadsheet(entry.path()) {
                diags.push(whole_file(
                    entry.path(),
                    Code::FormInInput,
                    in_input_message(entry.path()),
                ));
            } else {
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

/// What a spreadsheet found in the data folder is told.
fn in_input_message(path: &Path) -> String {
    let shown = crate::diagnostic::shown_path(path);
    if import::is_form(path) {
        format!("biểu mẫu Excel trong thư mục dữ liệu không được tính: thư mục dữ liệu chỉ đọc tệp JSON. Chuyển tệp này ra khỏi thư mục dữ liệu (ví dụ vào thư mục nhan/) rồi nhập nó bằng `khuyencong nhap nhan/{}`: lệnh kiểm tra biểu mẫu và ghi tệp JSON của đơn vị vào input/bao-cao/", path.file_name().map_or_else(|| shown.to_string(), |n| crate::diagnostic::shown_path(Path::new(n)).into_owned()))
    } else {
        "tệp bảng tính trong thư mục dữ liệu không được tính: chỉ biểu mẫu .xlsx do `khuyencong bieu-mau` tạo mới nhập được. Mở tệp bằng Excel hay LibreOffice Calc, lưu lại dạng .xlsx (Excel Workbook), chuyển ra khỏi thư mục dữ liệu rồi nhập bằng `khuyencong nhap`".into()
    }
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

/// A spreadsheet by its extension: Excel, with or without macros, old
/// Excel, LibreOffice.
fn is_spreadsheet(path: &Path) -> bool {
    path.extension().is_some_and(|e| {
        ["xlsx", "xlsm", "xls", "ods"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

/// A file the data folder is about: data, or a spreadsheet that may be
/// meant as data.
fn is_data(path: &Path) -> bool {
    is_json(path) || is_spreadsheet(path)
}

fn whole_file(path: &Path, code: Code, message: String) -> Diagnostic {
    Diagnostic::at(path, "$", code, message)
}

/// Reads one file, once: a regular file within the size limit; a form
/// into its cells (within the reader's limits), other files as UTF-8 text
/// (a BOM is accepted); SHA-256 of the bytes read.
pub fn read(path: &Path, diags: &mut Diagnostics) -> Option<InputFile> {
    let bytes = match read_bytes(path, MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(ReadError::TooLarge(_)) => {
            let size = std::fs::metadata(path).map_or(MAX_FILE_BYTES + 1, |m| m.len());
            diags.push(whole_file(
                path,
                Code::TooLarge,
                format!(
                    "tệp nặng {} MiB, vượt giới hạn {} MiB của một tệp dữ liệu; một báo cáo đơn vị chỉ vài KB — kiểm tra xem có chép nhầm tệp khác vào không",
                    mib(size),
                    mib(MAX_FILE_BYTES)
                ),
            ));
            return None;
        }
        Err(e) => {
            diags.push(whole_file(path, Code::Unreadable, e.to_string()));
            return None;
        }
    };
    from_bytes(path, &bytes, diags)
}

/// A file's bytes, already read once (by [`read`], or received by the
/// desk), as an input file: a form into its cells within the reader's
/// limits, anything else as UTF-8 text. `path` names it in problems and
/// says by its extension what it is; nothing is read from it.
pub fn from_bytes(path: &Path, bytes: &[u8], diags: &mut Diagnostics) -> Option<InputFile> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        diags.push(whole_file(
            path,
            Code::TooLarge,
            format!(
                "tệp nặng {} MiB, vượt giới hạn {} MiB của một tệp dữ liệu; một báo cáo đơn vị chỉ vài KB — kiểm tra xem có chép nhầm tệp khác vào không",
                mib(bytes.len() as u64),
                mib(MAX_FILE_BYTES)
            ),
        ));
        return None;
    }
    let sha256 = hex(&Sha256::digest(bytes));
    let content = if import::is_form(path) {
        match workbook::read(bytes, &import::SHEETS) {
            Ok(book) => Content::Form(Arc::new(book)),
            Err(refusal) => {
                diags.push(Diagnostic::at(
                    path,
                    refusal.place(),
                    Code::NotAForm,
                    refusal.to_string(),
                ));
                return None;
            }
        }
    } else {
        Content::Json(
            text(bytes)
                .map_err(|message| diags.push(whole_file(path, Code::Encoding, message)))
                .ok()?,
        )
    };
    Some(InputFile {
        path: path.to_path_buf(),
        content,
        sha256,
    })
}

/// Why a file cannot be read, and what to do, in Vietnamese.
fn unreadable_message(e: &std::io::Error) -> String {
    ReadError::of(e).to_string()
}

/// The one place text enters the program (data, templates, Markdown for
/// `render`): UTF-8 without its BOM, line ends as on Linux (CRLF from
/// Windows and a lone CR become LF), or why the bytes are not acceptable.
/// A file saved on Windows, or checked out by Git for Windows, then reads
/// exactly as the same file saved on Linux.
pub fn text(bytes: &[u8]) -> Result<String, String> {
    const SAVE_AS: &str = "mở tệp bằng trình soạn thảo rồi lưu lại với bảng mã UTF-8";
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || bytes.iter().take(64).any(|&b| b == 0)
    {
        return Err(format!("tệp được lưu bằng bảng mã UTF-16 hoặc là tệp nhị phân, không phải văn bản UTF-8; {SAVE_AS}"));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
        format!("tệp không phải UTF-8 (byte lạ ở vị trí {}; có thể là bảng mã TCVN3 hay Windows-1258); {SAVE_AS}", e.utf8_error().valid_up_to())
    })?;
    Ok(unix_line_ends(text))
}

/// `text` with CRLF and lone CR made LF (untouched when it has no CR).
fn unix_line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
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
        assert_eq!(text(b"\xEF\xBB\xBF{}").unwrap(), "{}");
        assert_eq!(text(b"\xEF\xBB\xBFa\r\nb\rc\n").unwrap(), "a\nb\nc\n");
        assert!(text(b"\xFF\xFE{\x00}\x00").unwrap_err().contains("UTF-16"));
        assert!(text(b"{\"a\": \"\xE0\"}")
            .unwrap_err()
            .contains("không phải UTF-8"));
    }
}
