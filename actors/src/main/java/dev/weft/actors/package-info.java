/** Ready-made Weft components, grouped by feature in sub-packages. */
package dev.weft.actors;
