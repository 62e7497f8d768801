'use strict';
module.exports = async function (fastify) {
  fastify.route({ method: 'GET', url: '/:invoiceId', handler: getInvoice });

  fastify.post(
    '/:invoiceId/send',
    { schema: { body: { type: 'object', properties: { to: { type: 'string' } }, required: ['to'] } } },
    async function sendInvoice(request, reply) {
      const invoice = await this.billing.load(request.params.invoiceId);
      await this.billing.send(invoice, request.body.to);
      reply.code(202);
      return { queued: true };
    },
  );
};

async function getInvoice(request) {
  const invoice = await this.billing.load(request.params.invoiceId);
  return { ...invoice, totalCents: invoice.lines.reduce((sum, l) => sum + l.cents, 0) };
}
