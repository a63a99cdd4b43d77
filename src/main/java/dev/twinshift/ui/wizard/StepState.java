package dev.twinshift.ui.wizard;

/** Where one step of a preflight, rehearsal or cutover stands, as its row shows it. */
public enum StepState { PENDING, RUNNING, DONE, FAILED }
