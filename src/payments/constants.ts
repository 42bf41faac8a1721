/** The payment protocol between a payer and a payee */
export const PAYMENT_PROTOCOL = '/torplus/payment/1.0.0'
