package dev.twinshift.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Reaches a server through an already connected jump host, as OpenSSH's ProxyJump does: one
 * direct-tcpip channel on the jump host's session carries the inner SSH connection. No local port
 * is opened, so no other local process can use the tunnel.
 *
 * <p>The inner session reads with a timeout, as it would read a socket with SO_TIMEOUT: JSch then
 * sends its keepalives through the tunnel too, and a dead server behind the jump is noticed.
 */
final class JumpProxy implements Proxy {
    private final Session jump;
    private final String jumpName;
    private final Pipe pipe = new Pipe();
    private volatile Channel channel;
    private volatile OutputStream out;

    JumpProxy(Session jump, String jumpName) {
        this.jump = jump;
        this.jumpName = jumpName;
    }

    /** How long a read may wait before JSch gets the chance to send a keepalive; 0 for ever. */
    void setReadTimeout(int millis) {
        pipe.timeoutMillis = millis;
    }

    @Override
    public void connect(SocketFactory ignored, String host, int port, int timeout) throws Exception {
        pipe.timeoutMillis = timeout;
        Channel ch;
        try {
            ch = jump.getStreamForwarder(host, port);
        } catch (JSchException e) {
            throw new JSchException("the jump host " + jumpName + " is not connected", e);
        }
        ch.setOutputStream(pipe.sink);
        try {
            ch.connect(timeout);
        } catch (JSchException e) {
            throw new JumpRefusedException("the jump host " + jumpName + " could not open a connection to "
                    + host + ":" + port + " (unknown name, refused or unreachable from there)", e);
        }
        channel = ch;
        out = ch.getOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return pipe;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.disconnect();
        }
        pipe.closeBoth();
    }

    /** The jump host refused to open the tunnel; the connector reports it as a refused connection. */
    static final class JumpRefusedException extends JSchException {
        private static final long serialVersionUID = 1L;

        JumpRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A bounded byte buffer: JSch's jump session writes, the inner session reads with a timeout. */
    private static final class Pipe extends InputStream {
        private final byte[] buf = new byte[256 * 1024];
        private int head;
        private int count;
        private boolean eof;
        private boolean readerClosed;
        volatile int timeoutMillis;

        final OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (Pipe.this) {
                    while (len > 0) {
                        if (readerClosed) {
                            throw new IOException("the inner session is closed");
                        }
                        if (count == buf.length) {
                            try {
                                Pipe.this.wait(1000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new InterruptedIOException();
                            }
                            continue;
                        }
                        int tail = (head + count) % buf.length;
                        int n = Math.min(len, Math.min(buf.length - count, buf.length - tail));
                        System.arraycopy(b, off, buf, tail, n);
                        count += n;
                        off += n;
                        len -= n;
                        Pipe.this.notifyAll();
                    }
                }
            }

            @Override
            public void close() {
                synchronized (Pipe.this) {
                    eof = true;
                    Pipe.this.notifyAll();
                }
            }
        };

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
            while (count == 0) {
                if (eof || readerClosed) {
                    return -1;
                }
                long waitMs = 0;
                if (deadline != 0) {
                    waitMs = (deadline - System.nanoTime()) / 1_000_000L;
                    if (waitMs <= 0) {
                        throw new SocketTimeoutException("no data from the server behind the jump host");
                    }
                }
                try {
                    wait(waitMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
            int n = Math.min(len, Math.min(count, buf.length - head));
            System.arraycopy(buf, head, b, off, n);
            head = (head + n) % buf.length;
            count -= n;
            notifyAll();
            return n;
        }

        @Override
        public synchronized int available() {
            return count;
        }

        @Override
        public synchronized void close() {
            readerClosed = true;
            notifyAll();
        }

        synchronized void closeBoth() {
            eof = true;
            readerClosed = true;
            notifyAll();
        }
    }
}
