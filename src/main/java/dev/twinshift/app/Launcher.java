package dev.twinshift.app;

public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        System.out.println("twinshift");
    }
}
