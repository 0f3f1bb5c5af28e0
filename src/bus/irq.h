/*
 * irq.h - interrupt lines as small objects.
 *
 * A device raises or lowers an IrqLine; whoever owns the line (the PIC, or
 * the CPU for its INTR pin) supplied the handler.  Devices never call the
 * interrupt controller directly.
 *
 * Example:
 *     IrqLine *l = irq_line_new(pic_set_irq, pic, 4);   // pin 4 of the PIC
 *     irq_set(l, 1);  ...  irq_set(l, 0);
 */
#ifndef TX86_IRQ_H
#define TX86_IRQ_H

typedef void (*IrqHandler)(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler handler;
    void *opaque;
    int n;          /* pin number as the owner knows it */
    int level;      /* last level driven */
} IrqLine;

static inline void irq_line_init(IrqLine *l, IrqHandler h, void *opaque, int n)
{
    l->handler = h; l->opaque = opaque; l->n = n; l->level = 0;
}

static inline void irq_set(IrqLine *l, int level)
{
    if (!l)
        return;
    l->level = level;
    if (l->handler)
        l->handler(l->opaque, l->n, level);
}

static inline void irq_raise(IrqLine *l) { irq_set(l, 1); }
static inline void irq_lower(IrqLine *l) { irq_set(l, 0); }
static inline void irq_pulse(IrqLine *l) { irq_set(l, 1); irq_set(l, 0); }

#endif
