require 'json'
require_relative 'cart'

# The bench's Ruby program: prints JSON with the backtraces it produced and its log records.
def attempt(stacks)
  yield
rescue StandardError => e
  stacks << "#{e.backtrace.first}: #{e.message} (#{e.class})\n" + e.backtrace.drop(1).map { |l| "\tfrom #{l}" }.join("\n")
end

cart = Shop::Cart.new('apple' => 120, 'tv' => 999)
stacks = []
attempt(stacks) { cart.checkout(%w[apple apple]) }
attempt(stacks) { cart.checkout(%w[apple pear]) }
attempt(stacks) { cart.checkout(%w[tv tv]) }
Log.error("checkout batch had #{stacks.size} failures")
puts JSON.generate({ stacks: stacks, logs: Log::RECORDS })
