/** A JPMS consumer of Weft: requires its modules by name and runs on the module path. */
module dev.weft.jpmscheck {
    requires dev.weft.runtime;
    requires dev.weft.actors;
    requires dev.weft.kvs;
    requires dev.weft.inspect;
    requires java.net.http;
}
