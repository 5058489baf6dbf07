package dev.weft.runtime;

/** The actor {@link Actor#of(Class, MessageHandler)} makes: each message goes to a handler. */
final class HandlerActor<T> extends Actor<T> {
    private final MessageHandler<? super T> handler;

    HandlerActor(Class<T> type, MessageHandler<? super T> handler) {
        super(type);
        this.handler = checked(handler);
    }

    HandlerActor(String name, Class<T> type, MessageHandler<? super T> handler) {
        super(name, type);
        this.handler = checked(handler);
    }

    private MessageHandler<? super T> checked(MessageHandler<? super T> h) {
        if (h == null) {
            throw new IllegalArgumentException("Actor.of needs a message handler for " + name() + ", not null");
        }
        return h;
    }

    @Override
    protected void onMessage(T message) throws Exception {
        handler.handle(message);
    }
}
