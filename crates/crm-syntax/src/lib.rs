//! The crm shell's configure syntax: parsed into CIB XML elements, and printed back from them (crm configure show).
