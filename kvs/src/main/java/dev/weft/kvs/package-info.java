/** The Weft key-value store service, modelled on the Flux KVS. */
package dev.weft.kvs;
