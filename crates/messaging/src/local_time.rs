//! The local wall-clock time as text, for tool output (`Date:` lines) only.

/// The current local time in ctime(3) format (`Wed Nov 25 23:43:53 2026`), without the newline.
pub fn ctime_now() -> String {
    let mut buffer = [0 as libc::c_char; 64];
    // SAFETY: time(NULL) has no preconditions; ctime_r writes at most 26 bytes into our buffer.
    unsafe {
        let now = libc::time(std::ptr::null_mut());
        if libc::ctime_r(&now, buffer.as_mut_ptr()).is_null() {
            return String::new();
        }
        std::ffi::CStr::from_ptr(buffer.as_ptr())
            .to_string_lossy()
            .trim_end()
            .to_string()
    }
}
