/*
 * uart: a small interrupt-driven driver for the PL011 UART of the QEMU virt board.
 *
 * init() enables the receive interrupt. On each interrupt the driver drains the receive
 * FIFO, echoes every character back through the UART's own transmit register, collects
 * a line, and acknowledges the interrupt so the kernel unmasks it again. A complete line
 * (ended by CR or LF) is reported through the kernel's debug console.
 */
#include <microkit.h>

#define UART_IRQ 0

/* PL011 registers (byte offsets) and bits. */
#define UARTDR   0x000
#define UARTFR   0x018
#define UARTCR   0x030
#define UARTIMSC 0x038

#define FR_TXFF (1u << 5) /* transmit FIFO full */
#define FR_RXFE (1u << 4) /* receive FIFO empty */
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define INT_RX (1u << 4)  /* receive */

/* Patched by the tool with the virtual address of the register page (setvar_vaddr). */
seL4_Word uart_base;

static inline volatile seL4_Uint32 *reg(seL4_Word offset)
{
    return (volatile seL4_Uint32 *)(uart_base + offset);
}

static void uart_putc(char c)
{
    while (*reg(UARTFR) & FR_TXFF) {
    }
    *reg(UARTDR) = (seL4_Uint8)c;
}

static void uart_puts(const char *s)
{
    for (; *s != '\0'; s++) {
        uart_putc(*s);
    }
}

#define LINE_MAX 64
static char line[LINE_MAX];
static unsigned line_len;
static unsigned lines;
static unsigned interrupts;

static void end_of_line(void)
{
    line[line_len] = '\0';
    lines++;
    microkit_dbg_puts("uart: line ");
    microkit_dbg_put32(lines);
    microkit_dbg_puts(": \"");
    microkit_dbg_puts(line);
    microkit_dbg_puts("\" (");
    microkit_dbg_put32(line_len);
    microkit_dbg_puts(" characters, ");
    microkit_dbg_put32(interrupts);
    microkit_dbg_puts(" interrupts so far)\n");
    line_len = 0;
}

void init(void)
{
    /*
     * Enable the UART and the receive interrupt. A character that arrived before this
     * point is still in the receive FIFO and raises the interrupt at once; the receive
     * interrupt is not cleared through UARTICR, because reading the last character from
     * UARTDR clears it, and clearing it by hand could lose a character that arrives
     * in between.
     */
    *reg(UARTCR) = CR_UARTEN | CR_TXE | CR_RXE;
    *reg(UARTIMSC) = INT_RX;
    microkit_dbg_puts("uart: driver ready (this line comes through seL4_DebugPutChar)\n");
    uart_puts("uart: this line is written to the PL011 data register by the driver\n");
    uart_puts("uart: echo> ");
}

void notified(microkit_channel ch)
{
    if (ch != UART_IRQ) {
        return;
    }
    interrupts++;
    while (!(*reg(UARTFR) & FR_RXFE)) {
        char c = (char)(*reg(UARTDR) & 0xff);
        if (c == '\r' || c == '\n') {
            uart_putc('\n');
            end_of_line();
            uart_puts("uart: echo> ");
        } else {
            uart_putc(c);
            if (line_len < LINE_MAX - 1) {
                line[line_len++] = c;
            }
        }
    }
    microkit_irq_ack(UART_IRQ);
}
