package dev.weft.kvs;

/**
 * Who a request to an in-process store comes from, and so what it may do (Flux's rule): the store's
 * owner may use every namespace and create and remove them; an authenticated user may use only the
 * namespaces it owns, reads through a symlink into another namespace included. In process, and
 * over a server without users, everyone is the owner.
 *
 * @param user the user's name, or null for the store's owner
 */
record Principal(String user) {
    static final Principal OWNER = new Principal(null);

    /** Whether this principal may read and write a namespace owned by {@code owner}. */
    boolean mayUse(String owner) {
        return user == null || user.equals(owner);
    }

    /** Refuses unless this principal may use {@code namespace}. */
    void checkUse(LocalNamespace namespace) {
        if (!mayUse(namespace.owner())) {
            throw new PermissionDeniedException("user '" + user + "' may not use namespace '" + namespace.name()
                    + "': it belongs to '" + namespace.owner() + "'; a user may use only the namespaces it owns");
        }
    }

    /** Refuses unless this principal is the store's owner, who alone creates and removes namespaces. */
    void checkOwner(String action) {
        if (user != null) {
            throw new PermissionDeniedException("user '" + user + "' may not " + action
                    + ": only the store's owner creates and removes namespaces");
        }
    }
}
