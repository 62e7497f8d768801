require_relative 'log'

module Shop
  class Cart
    def initialize(prices)
      @prices = prices
    end

    def price_of(sku)
      @prices.fetch(sku) do
        Log.warn("no price for #{sku}")
        raise ArgumentError, "unknown sku #{sku}"
      end
    end

    def checkout(skus)
      Log.info("checking out #{skus.size} items")
      total = skus.sum { |s| price_of(s) }
      raise "total #{total} over limit" if total > 1000
      total
    end
  end
end
