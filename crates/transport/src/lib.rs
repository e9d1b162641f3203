//! UDP transport for Totem: unicast and multicast sockets, redundant rings, AEAD packet encryption with replay protection.
