/**
 * TCP as components: {@link dev.weft.actors.net.TcpServer} accepts connections and gives each a
 * {@link dev.weft.actors.net.SocketAdapter}; {@link dev.weft.actors.net.TcpClient} connects out. All
 * of them wait for readiness through the runtime's {@link dev.weft.runtime.io.SelectorService}.
 * {@link dev.weft.actors.net.Framing} cuts the chunks they read into messages (lines, delimited or
 * length-prefixed frames) and writes messages back as bytes.
 */
package dev.weft.actors.net;
