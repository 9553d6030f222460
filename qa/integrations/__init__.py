"""qa as a part of other frameworks. Each integration is its own module, imported only by its
users, so the core never imports a framework just to be usable from it."""
