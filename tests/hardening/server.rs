//! What no request can do to `plenary serve`: bring it down, hold its connections, read its drafts from another site.
